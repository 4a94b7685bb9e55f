using Polly;

namespace CircuitBreaker.Polly;

/// <summary>Keys of <see cref="ResilienceContext.Properties"/> that the distributed circuit breaker reads.</summary>
public static class DistributedCircuitBreakerProperties
{
    /// <summary>
    /// The request this call belongs to, e.g. the Lambda request id: the failure events carry it, and a probe's
    /// lease is held under it. Unset: a new id per call.
    /// </summary>
    public static readonly ResiliencePropertyKey<string> RequestId = new("CircuitBreaker.Polly.RequestId");
}
