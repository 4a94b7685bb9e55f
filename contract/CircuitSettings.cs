namespace CircuitBreaker.Contract;

/// <summary>
/// One route's settings, validated: its circuit's key, where its calls go (<see cref="RouteTarget"/>) and the breaker's
/// rules (<see cref="CircuitPolicy"/>). Read them with <see cref="CircuitSettingsReader"/> from whatever holds them
/// (Pulumi config, environment variables, command-line options) and hand them to the functions with <see cref="ToEnvironment"/>.
/// </summary>
/// <param name="ServiceId">The circuit's key; by default the downstream URL's host.</param>
/// <param name="Target">The downstream and what the relay passes on.</param>
/// <param name="Policy">When the circuit opens, for how long, and what counts as a failure.</param>
public sealed record CircuitSettings(string ServiceId, RouteTarget Target, CircuitPolicy Policy)
{
    /// <summary>
    /// Time the webservice keeps back from its Lambda deadline for publishing a failure and answering
    /// after a downstream call has used up its timeout (docs/design.md, "Time budget").
    /// </summary>
    public static readonly TimeSpan ResponseReserve = TimeSpan.FromSeconds(2);

    /// <summary>API Gateway HTTP API's largest integration timeout: the webservice must answer within it.</summary>
    public static readonly TimeSpan HttpApiIntegrationTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The webservice function's timeout, whole seconds: the downstream timeout plus
    /// <see cref="ResponseReserve"/>, rounded up.
    /// </summary>
    public int WebserviceTimeoutSeconds => WebserviceTimeoutSecondsFor(Target.DownstreamTimeout);

    /// <summary>The webservice function's timeout, whole seconds, for a downstream timeout of <paramref name="downstreamTimeout"/>.</summary>
    public static int WebserviceTimeoutSecondsFor(TimeSpan downstreamTimeout) => (int)Math.Ceiling((downstreamTimeout + ResponseReserve).TotalSeconds);

    /// <summary>The settings as the functions' environment variables, in invariant form.</summary>
    public IReadOnlyDictionary<string, string> ToEnvironment()
    {
        var environment = new Dictionary<string, string>(Policy.ToEnvironment());
        foreach (var (variable, value) in Target.ToEnvironment())
        {
            environment[variable] = value;
        }

        environment[CircuitSettingKeys.ServiceId.EnvironmentVariable] = ServiceId;
        return environment;
    }
}
