using System.ComponentModel.DataAnnotations;
using System.Globalization;
using CircuitBreaker.Contract;

namespace CircuitBreaker.Polly;

/// <summary>
/// Reads the breaker's settings from the environment variables the stack gives a function that embeds the
/// library (<c>SERVICE_ID</c>, <c>FAILURE_THRESHOLD</c>, <c>WINDOW_SECONDS</c>, … as <see cref="CircuitSettingKeys"/>
/// names them), with the stack's own parsing and rules, so the function and the recorder count alike.
/// </summary>
public static class DistributedCircuitBreakerEnvironment
{
    private static readonly CircuitSetting[] Applied =
    [
        CircuitSettingKeys.ServiceId, CircuitSettingKeys.FailureThreshold, CircuitSettingKeys.WindowSeconds,
        CircuitSettingKeys.OpenSeconds, CircuitSettingKeys.FailOpen, CircuitSettingKeys.FailureRatio,
        CircuitSettingKeys.MinimumThroughput, CircuitSettingKeys.SlowCallSeconds, CircuitSettingKeys.MaxOpenSeconds,
        CircuitSettingKeys.FailureStatusCodes, CircuitSettingKeys.MaxRetryAfterSeconds, CircuitSettingKeys.ClosedStateMaxAgeSeconds,
    ];

    /// <summary>
    /// Sets each of <paramref name="options"/>' breaker settings whose environment variable is set; the others keep
    /// their values. <c>TABLE_NAME</c> and <c>EVENT_BUS_NAME</c> need no call: they are read when unset on the options.
    /// </summary>
    /// <typeparam name="TOptions">The options' type.</typeparam>
    /// <param name="options">The options to update.</param>
    /// <param name="environment">Looks up a variable; null: the process environment.</param>
    /// <returns>The same options.</returns>
    /// <exception cref="ValidationException">A variable is set to an invalid value; the message names every one, with the expected form.</exception>
    public static TOptions ApplyEnvironment<TOptions>(this TOptions options, Func<string, string?>? environment = null)
        where TOptions : DistributedCircuitBreakerSettings
    {
        ArgumentNullException.ThrowIfNull(options);
        environment ??= Environment.GetEnvironmentVariable;
        var present = Applied.Where(setting => !string.IsNullOrWhiteSpace(environment(setting.EnvironmentVariable))).ToHashSet();

        // Settings absent from the environment are validated at their current values, so rules across settings (a cap
        // below the open period, say) hold for the combination the options end up with.
        string? Lookup(CircuitSetting setting) =>
            present.Contains(setting) || setting == CircuitSettingKeys.MetricsNamespace ? environment(setting.EnvironmentVariable) : Current(options, setting);

        var result = CircuitSettingsReader.ReadPolicy(Lookup, setting => setting.EnvironmentVariable);
        var errors = result.Errors.ToList();
        var serviceId = environment(CircuitSettingKeys.ServiceId.EnvironmentVariable)?.Trim();
        if (present.Contains(CircuitSettingKeys.ServiceId) && !CircuitSettingsReader.IsValidServiceId(serviceId!))
        {
            errors.Add(SettingValues.Invalid(CircuitSettingKeys.ServiceId.EnvironmentVariable, serviceId, CircuitSettingKeys.ServiceId.ExpectedForm));
        }

        if (errors.Count > 0 || result.Policy is not { } policy)
        {
            throw new ValidationException("The breaker's settings in the environment are invalid: " + string.Join(" ", errors));
        }

        foreach (var setting in present)
        {
            Assign(options, policy, serviceId!, setting);
        }

        return options;
    }

    private static string? Current(DistributedCircuitBreakerSettings options, CircuitSetting setting)
    {
        return setting switch
        {
            _ when setting == CircuitSettingKeys.FailureThreshold => options.FailureThreshold.ToString(CultureInfo.InvariantCulture),
            _ when setting == CircuitSettingKeys.WindowSeconds => Seconds(options.Window),
            _ when setting == CircuitSettingKeys.OpenSeconds => Seconds(options.OpenDuration),
            _ when setting == CircuitSettingKeys.FailOpen => options.FailOpen ? "true" : "false",
            _ when setting == CircuitSettingKeys.FailureRatio => options.FailureRatio?.ToString("R", CultureInfo.InvariantCulture),
            _ when setting == CircuitSettingKeys.MinimumThroughput => options.MinimumThroughput.ToString(CultureInfo.InvariantCulture),
            _ when setting == CircuitSettingKeys.SlowCallSeconds => options.SlowCallThreshold is { } slow ? Seconds(slow) : null,
            _ when setting == CircuitSettingKeys.MaxOpenSeconds => options.MaxOpenDuration is { } max ? Seconds(max) : null,
            _ when setting == CircuitSettingKeys.FailureStatusCodes => options.FailureStatusCodes?.ToString(),
            _ when setting == CircuitSettingKeys.MaxRetryAfterSeconds => Seconds(options.MaxRetryAfter),
            _ when setting == CircuitSettingKeys.ClosedStateMaxAgeSeconds => Seconds(options.ClosedStateMaxAge),
            _ => null,
        };

        static string Seconds(TimeSpan value) => value.TotalSeconds.ToString("R", CultureInfo.InvariantCulture);
    }

    private static void Assign(DistributedCircuitBreakerSettings options, CircuitPolicy policy, string serviceId, CircuitSetting setting)
    {
        if (setting == CircuitSettingKeys.ServiceId)
        {
            options.ServiceId = serviceId;
        }
        else if (setting == CircuitSettingKeys.FailureThreshold)
        {
            options.FailureThreshold = policy.FailureThreshold;
        }
        else if (setting == CircuitSettingKeys.WindowSeconds)
        {
            options.Window = policy.Window;
        }
        else if (setting == CircuitSettingKeys.OpenSeconds)
        {
            options.OpenDuration = policy.OpenDuration;
        }
        else if (setting == CircuitSettingKeys.FailOpen)
        {
            options.FailOpen = policy.FailOpen;
        }
        else if (setting == CircuitSettingKeys.FailureRatio)
        {
            options.FailureRatio = policy.FailureRatio;
        }
        else if (setting == CircuitSettingKeys.MinimumThroughput)
        {
            options.MinimumThroughput = policy.MinimumThroughput;
        }
        else if (setting == CircuitSettingKeys.SlowCallSeconds)
        {
            options.SlowCallThreshold = policy.SlowCallThreshold;
        }
        else if (setting == CircuitSettingKeys.MaxOpenSeconds)
        {
            options.MaxOpenDuration = policy.MaxOpenDuration;
        }
        else if (setting == CircuitSettingKeys.FailureStatusCodes)
        {
            options.FailureStatusCodes = policy.FailureStatusCodes;
        }
        else if (setting == CircuitSettingKeys.MaxRetryAfterSeconds)
        {
            options.MaxRetryAfter = policy.MaxRetryAfter;
        }
        else if (setting == CircuitSettingKeys.ClosedStateMaxAgeSeconds)
        {
            options.ClosedStateMaxAge = policy.ClosedStateMaxAge;
        }
    }
}
