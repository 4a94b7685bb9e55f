using System.Diagnostics.CodeAnalysis;
using CircuitBreaker.Contract;
using CircuitBreaker.Infra.Configuration;
using Pulumi;

namespace CircuitBreaker.Infra;

/// <summary>
/// What a <see cref="CircuitBreakerBackend"/> is built from, and the backend part of what a
/// <see cref="CircuitBreakerComponent"/> is built from (<see cref="CircuitBreakerArgs"/> adds the HTTP API's settings).
/// </summary>
public class CircuitBreakerBackendArgs
{
    /// <summary>Arguments to fill in with an object initializer.</summary>
    public CircuitBreakerBackendArgs()
    {
    }

    /// <summary>The arguments that <paramref name="settings"/> describe.</summary>
    [SetsRequiredMembers]
    private protected CircuitBreakerBackendArgs(InfraSettings settings, Archive code, string functionNamePrefix)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Routes = settings.Routes;
        Code = code;
        FunctionNamePrefix = functionNamePrefix;
        Architecture = settings.Architecture;
        MemorySizeMb = settings.MemorySizeMb;
        RecorderTimeoutSeconds = settings.RecorderTimeoutSeconds;
        LogRetentionDays = settings.LogRetentionDays;
        EventRetryAttempts = settings.EventRetryAttempts;
        EventMaxAgeSeconds = settings.EventMaxAgeSeconds;
        AlarmEmail = settings.AlarmEmail is { } email ? (Input<string>)email : null;
    }

    /// <summary>
    /// The breaker's settings, which the functions receive as environment variables: the routes, each with its target,
    /// its circuit's policy, alarm and dashboard row (<see cref="RouteTable.OneRoute"/> for one downstream, or read with
    /// <see cref="RouteTableReader"/>); for the backend alone (or a <see cref="CircuitBreakerArgs.DownstreamUrl"/> that is
    /// another resource's output), the policy and the circuit the alarm watches (<see cref="RouteTable.PolicyOnly"/>).
    /// <see cref="RouteTable.MetricsNamespace"/> and <see cref="RouteTable.ServiceIds"/> name the metrics the alarms and
    /// the dashboard watch.
    /// </summary>
    public required RouteTable Routes { get; init; }

    /// <summary>The Lambda package holding <c>bootstrap</c>, shared by the functions.</summary>
    public required Archive Code { get; init; }

    /// <summary>
    /// Prefix of the fixed names: the functions (<c>&lt;prefix&gt;-recorder</c>, <c>&lt;prefix&gt;-webservice</c>),
    /// the alarm and the dashboard. The function names are fixed rather than generated so that each log group can
    /// be declared, with its retention, under the name Lambda writes to (<c>/aws/lambda/&lt;function name&gt;</c>)
    /// before the function exists.
    /// </summary>
    public required string FunctionNamePrefix { get; init; }

    /// <summary>The instruction set <see cref="Code"/> was built for.</summary>
    public LambdaArchitecture Architecture { get; init; } = InfraDefaults.Architecture;

    /// <summary>Memory of each function, MB.</summary>
    public int MemorySizeMb { get; init; } = InfraDefaults.MemorySizeMb;

    /// <summary>The recorder's timeout, seconds.</summary>
    public int RecorderTimeoutSeconds { get; init; } = InfraDefaults.RecorderTimeoutSeconds;

    /// <summary>Retention of the functions' log groups, days.</summary>
    public int LogRetentionDays { get; init; } = InfraDefaults.LogRetentionDays;

    /// <summary>
    /// EventBridge retries of delivering a failure event to the recorder while Lambda does not accept it (throttling,
    /// a service error); the recorder's own errors are Lambda's to retry (<see cref="RecorderRetries"/>).
    /// </summary>
    public int EventRetryAttempts { get; init; } = InfraDefaults.EventRetryAttempts;

    /// <summary>How long EventBridge keeps retrying such a delivery before dead-lettering the event, seconds.</summary>
    public int EventMaxAgeSeconds { get; init; } = InfraDefaults.EventMaxAgeSeconds;

    /// <summary>An address to subscribe to the alert topic by email (a string, or another resource's output such as a secret), or null for none.</summary>
    public Input<string>? AlarmEmail { get; init; }

    /// <summary>The arguments that <paramref name="settings"/> describe.</summary>
    public static CircuitBreakerBackendArgs From(InfraSettings settings, Archive code, string functionNamePrefix) =>
        new(settings, code, functionNamePrefix);

    /// <summary>The functions' environment variables for the breaker's settings (the table's and the bus's names come on top).</summary>
    private protected virtual InputMap<string> FunctionEnvironment()
    {
        var environment = new InputMap<string>();
        foreach (var (key, value) in Routes.ToEnvironment())
        {
            environment.Add(key, value);
        }

        return environment;
    }

    /// <summary>The functions' environment, for the backend's resources.</summary>
    internal InputMap<string> Environment() => FunctionEnvironment();
}
