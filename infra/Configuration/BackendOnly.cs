namespace CircuitBreaker.Infra.Configuration;

/// <summary>What the backend-only deployment (<see cref="DeploymentMode.Backend"/>) puts in place of the webservice's settings.</summary>
public static class BackendOnly
{
    /// <summary>
    /// The downstream URL the recorder is given when the stack has no downstream of its own. The recorder
    /// never calls the downstream (it reads the failure events' service id), but the functions validate
    /// every breaker setting at start; <c>.invalid</c> is reserved (RFC 2606), so nothing can ever answer it.
    /// </summary>
    public const string StandInDownstreamUrl = "https://backend-only.invalid/";
}
