using CircuitBreaker.Contract;
using CircuitBreaker.Infra.Configuration;
using Pulumi;

namespace CircuitBreaker.Infra;

/// <summary>What a <see cref="CircuitBreakerBackend"/> (and the backend part of a <see cref="CircuitBreakerComponent"/>) is built from.</summary>
public sealed class CircuitBreakerBackendArgs
{
    /// <summary>
    /// The breaker's settings; the recorder receives them as environment variables, and
    /// <see cref="CircuitSettings.ServiceId"/> and <see cref="CircuitSettings.MetricsNamespace"/> name the
    /// metrics the alarm and the dashboard watch.
    /// </summary>
    public required CircuitSettings Circuit { get; init; }

    /// <summary>
    /// The routes, each with its own circuit, alarm and dashboard row; null for one route to <see cref="Circuit"/>
    /// (prefix "/", path kept). With routes, <see cref="Circuit"/> is the first route's settings.
    /// </summary>
    public RouteTable? Routes { get; init; }

    /// <summary>The routes the functions serve: <see cref="Routes"/>, or the one route to <see cref="Circuit"/>.</summary>
    public RouteTable RouteTable => Routes ?? RouteTable.OneRoute(Circuit);

    /// <summary>The Lambda package holding <c>bootstrap</c>.</summary>
    public required Archive Code { get; init; }

    /// <summary>
    /// Prefix of the fixed names: <c>&lt;prefix&gt;-recorder</c> (so that its log group can be declared under
    /// the name Lambda writes to before the function exists), the alarm and the dashboard.
    /// </summary>
    public required string FunctionNamePrefix { get; init; }

    /// <summary>The instruction set <see cref="Code"/> was built for.</summary>
    public LambdaArchitecture Architecture { get; init; } = LambdaArchitecture.Arm64;

    /// <summary>Memory of the recorder, MB.</summary>
    public int MemorySizeMb { get; init; } = InfraDefaults.MemorySizeMb;

    /// <summary>The recorder's timeout, seconds.</summary>
    public int RecorderTimeoutSeconds { get; init; } = InfraDefaults.RecorderTimeoutSeconds;

    /// <summary>Retention of the recorder's log group, days.</summary>
    public int LogRetentionDays { get; init; } = InfraDefaults.LogRetentionDays;

    /// <summary>EventBridge retries of a failure event to the recorder.</summary>
    public int EventRetryAttempts { get; init; } = InfraDefaults.EventRetryAttempts;

    /// <summary>How long EventBridge keeps retrying a failure event before dead-lettering it, seconds.</summary>
    public int EventMaxAgeSeconds { get; init; } = InfraDefaults.EventMaxAgeSeconds;

    /// <summary>An address to subscribe to the alert topic by email, or null for none.</summary>
    public string? AlarmEmail { get; init; }

    /// <summary>The arguments that <paramref name="settings"/> describe.</summary>
    public static CircuitBreakerBackendArgs From(InfraSettings settings, Archive code, string functionNamePrefix)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new CircuitBreakerBackendArgs
        {
            Circuit = settings.Circuit,
            Routes = settings.Routes,
            Code = code,
            FunctionNamePrefix = functionNamePrefix,
            Architecture = settings.Architecture,
            MemorySizeMb = settings.MemorySizeMb,
            RecorderTimeoutSeconds = settings.RecorderTimeoutSeconds,
            LogRetentionDays = settings.LogRetentionDays,
            EventRetryAttempts = settings.EventRetryAttempts,
            EventMaxAgeSeconds = settings.EventMaxAgeSeconds,
            AlarmEmail = settings.AlarmEmail,
        };
    }
}
