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
        var (target, policy) = (settings.Target, settings.Policy);
        var rule = policy.FailureRatio is { } ratio
            ? string.Create(CultureInfo.InvariantCulture, $"failure ratio {ratio} of at least {policy.MinimumThroughput} calls")
            : string.Create(CultureInfo.InvariantCulture, $"threshold {policy.FailureThreshold}");
        var slow = policy.SlowCallThreshold is { } threshold
            ? string.Create(CultureInfo.InvariantCulture, $", slow after {threshold.TotalSeconds} s")
            : string.Empty;
        var backoff = policy.MaxOpenDuration > policy.OpenDuration
            ? string.Create(CultureInfo.InvariantCulture, $" doubling per failed probe up to {policy.MaxOpenDuration.TotalSeconds} s")
            : string.Empty;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"timeout {target.DownstreamTimeout.TotalSeconds} s{slow}, {rule}, window {policy.Window.TotalSeconds} s, open {policy.OpenDuration.TotalSeconds} s{backoff}, service {settings.ServiceId}");
    }
}
