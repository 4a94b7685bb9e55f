using CircuitBreaker.Contract;

namespace CircuitBreaker.Bench.Stack;

/// <summary>The breaker's settings for a run, scaled down from production's.</summary>
internal sealed record StackSettings(
    TimeSpan DownstreamTimeout,
    int FailureThreshold,
    TimeSpan Window,
    TimeSpan OpenDuration)
{
    public const string ServiceId = "downstream";

    public CircuitSettings ToCircuitSettings(Uri downstreamUrl) => new(
        ServiceId,
        new RouteTarget { DownstreamUrl = downstreamUrl, DownstreamTimeout = DownstreamTimeout },
        CircuitPolicy.Default with { FailureThreshold = FailureThreshold, Window = Window, OpenDuration = OpenDuration, FailOpen = true });
}
