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
    // The library protects no URL of its own; the reader needs one to validate the rest, so a reserved name
    // stands in, as the backend-only stack's recorder does.
    private const string StandInDownstreamUrl = "https://library.invalid/";

    // The longest downstream timeout the stack accepts: with DOWNSTREAM_TIMEOUT_SECONDS unset, it only bounds SLOW_CALL_SECONDS.
    private const string LongestDownstreamTimeoutSeconds = "28";

    private static readonly CircuitSetting[] Applied =
    [
        CircuitSettingKeys.ServiceId, CircuitSettingKeys.FailureThreshold, CircuitSettingKeys.WindowSeconds,
        CircuitSettingKeys.OpenSeconds, CircuitSettingKeys.FailOpen, CircuitSettingKeys.FailureRatio,
        CircuitSettingKeys.MinimumThroughput, CircuitSettingKeys.SlowCallSeconds, CircuitSettingKeys.MaxOpenSeconds,
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

        string? Lookup(CircuitSetting setting)
        {
            if (present.Contains(setting) || setting == CircuitSettingKeys.MetricsNamespace)
            {
                return environment(setting.EnvironmentVariable);
            }

            // Settings absent from the environment are validated at their current values, so rules across
            // settings (a cap below the open period, say) hold for the combination the options end up with.
            if (setting == CircuitSettingKeys.DownstreamUrl)
            {
                return StandInDownstreamUrl;
            }

            if (setting == CircuitSettingKeys.DownstreamTimeoutSeconds)
            {
                return environment(setting.EnvironmentVariable) is { Length: > 0 } timeout ? timeout : LongestDownstreamTimeoutSeconds;
            }

            return Current(options, setting);
        }

        var result = CircuitSettingsReader.Read(Lookup, setting => setting.EnvironmentVariable);
        if (result.Settings is not { } settings)
        {
            throw new ValidationException("The breaker's settings in the environment are invalid: " + string.Join(" ", result.Errors));
        }

        foreach (var setting in present)
        {
            Assign(options, settings, setting);
        }

        return options;
    }

    private static string? Current(DistributedCircuitBreakerSettings options, CircuitSetting setting)
    {
        static string Seconds(TimeSpan value) => value.TotalSeconds.ToString("R", CultureInfo.InvariantCulture);

        return setting switch
        {
            // Unset in the environment, the service id is not assigned, so it needs no checking here.
            _ when setting == CircuitSettingKeys.ServiceId => null,
            _ when setting == CircuitSettingKeys.FailureThreshold => options.FailureThreshold.ToString(CultureInfo.InvariantCulture),
            _ when setting == CircuitSettingKeys.WindowSeconds => Seconds(options.Window),
            _ when setting == CircuitSettingKeys.OpenSeconds => Seconds(options.OpenDuration),
            _ when setting == CircuitSettingKeys.FailOpen => options.FailOpen ? "true" : "false",
            _ when setting == CircuitSettingKeys.FailureRatio => options.FailureRatio?.ToString("R", CultureInfo.InvariantCulture),
            _ when setting == CircuitSettingKeys.MinimumThroughput => options.MinimumThroughput.ToString(CultureInfo.InvariantCulture),
            _ when setting == CircuitSettingKeys.SlowCallSeconds => options.SlowCallThreshold is { } slow ? Seconds(slow) : null,
            _ when setting == CircuitSettingKeys.MaxOpenSeconds => options.MaxOpenDuration is { } max ? Seconds(max) : null,
            _ => null,
        };
    }

    private static void Assign(DistributedCircuitBreakerSettings options, CircuitSettings settings, CircuitSetting setting)
    {
        if (setting == CircuitSettingKeys.ServiceId)
        {
            options.ServiceId = settings.ServiceId;
        }
        else if (setting == CircuitSettingKeys.FailureThreshold)
        {
            options.FailureThreshold = settings.FailureThreshold;
        }
        else if (setting == CircuitSettingKeys.WindowSeconds)
        {
            options.Window = settings.Window;
        }
        else if (setting == CircuitSettingKeys.OpenSeconds)
        {
            options.OpenDuration = settings.OpenDuration;
        }
        else if (setting == CircuitSettingKeys.FailOpen)
        {
            options.FailOpen = settings.FailOpen;
        }
        else if (setting == CircuitSettingKeys.FailureRatio)
        {
            options.FailureRatio = settings.FailureRatio;
        }
        else if (setting == CircuitSettingKeys.MinimumThroughput)
        {
            options.MinimumThroughput = settings.MinimumThroughput;
        }
        else if (setting == CircuitSettingKeys.SlowCallSeconds)
        {
            options.SlowCallThreshold = settings.SlowCallThreshold;
        }
        else if (setting == CircuitSettingKeys.MaxOpenSeconds)
        {
            options.MaxOpenDuration = settings.MaxOpenDuration;
        }
    }
}
