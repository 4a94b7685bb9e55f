using System.Globalization;
using CircuitBreaker.Contract;

namespace CircuitBreaker.Local.Cli;

/// <summary>The breaker's settings in one line for the local host's banner; the defaults read as the original demo's.</summary>
internal static class BreakerSummary
{
    /// <summary>E.g. <c>timeout 10 s, threshold 3, window 60 s, open 60 s, service 127.0.0.1</c>.</summary>
    public static string Of(CircuitSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var rule = settings.FailureRatio is { } ratio
            ? string.Create(CultureInfo.InvariantCulture, $"failure ratio {ratio} of at least {settings.MinimumThroughput} calls")
            : string.Create(CultureInfo.InvariantCulture, $"threshold {settings.FailureThreshold}");
        var slow = settings.SlowCallThreshold is { } threshold
            ? string.Create(CultureInfo.InvariantCulture, $", slow after {threshold.TotalSeconds} s")
            : string.Empty;
        var backoff = settings.MaxOpenDuration > settings.OpenDuration
            ? string.Create(CultureInfo.InvariantCulture, $" doubling per failed probe up to {settings.MaxOpenDuration.TotalSeconds} s")
            : string.Empty;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"timeout {settings.DownstreamTimeout.TotalSeconds} s{slow}, {rule}, window {settings.Window.TotalSeconds} s, open {settings.OpenDuration.TotalSeconds} s{backoff}, service {settings.ServiceId}");
    }
}
