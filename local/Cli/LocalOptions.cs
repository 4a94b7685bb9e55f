using CircuitBreaker.Contract;
using CircuitBreaker.Local.Hosting;

namespace CircuitBreaker.Local.Cli;

/// <summary>The local host's validated options.</summary>
/// <param name="Port">The HTTP API's port on 127.0.0.1 (0 = any free port).</param>
/// <param name="Downstream">The downstream, real or simulated.</param>
/// <param name="Settings">The breaker's settings; when simulated, <see cref="CircuitSettings.DownstreamUrl"/> is a
/// placeholder until <see cref="SettingsFor"/> is given the simulator's address.</param>
/// <param name="ServiceIdGiven">True when the service id came from --service-id or the config file rather than the URL's host.</param>
/// <param name="ConfigFile">The stack config file the settings were read from, if any.</param>
/// <param name="Routes">The routes, when given (<c>--route</c> or <c>routes</c> in the config file); then
/// <paramref name="Downstream"/> and <paramref name="Settings"/> are the first route's.</param>
internal sealed record LocalOptions(int Port, DownstreamTarget Downstream, CircuitSettings Settings, bool ServiceIdGiven, string? ConfigFile, LocalRoutes? Routes = null)
{
    /// <summary>The original demo's port.</summary>
    public const int DefaultPort = 3000;

    /// <summary>Stands in for the simulator's URL while validating, before the simulator has a port.</summary>
    public static readonly Uri SimulatorPlaceholder = new("http://127.0.0.1/");

    /// <summary>The DynamoDB given with <c>--dynamodb-endpoint</c>, used instead of dynalite; null to start dynalite.</summary>
    public Uri? DynamoDbEndpoint { get; init; }

    /// <summary>How long the local EventBridge holds each matched event before delivering it (<c>--event-delivery-latency-seconds</c>).</summary>
    public TimeSpan EventDeliveryLatency { get; init; }

    /// <summary>What the functions sign their AWS requests with: dummies for dynalite, the environment's for <see cref="DynamoDbEndpoint"/>.</summary>
    public FunctionCredentials Credentials { get; init; } = FunctionCredentials.Dummy;

    /// <summary>The settings with the downstream the webservice will really call (the simulator's address when simulated).</summary>
    public CircuitSettings SettingsFor(Uri downstreamUrl)
    {
        ArgumentNullException.ThrowIfNull(downstreamUrl);
        return Settings with
        {
            Target = Settings.Target with { DownstreamUrl = downstreamUrl },
            ServiceId = ServiceIdGiven ? Settings.ServiceId : downstreamUrl.Host,
        };
    }
}
