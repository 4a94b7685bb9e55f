using CircuitBreaker.Contract;

namespace CircuitBreaker.Tests.Support;

internal static class TestSettings
{
    public static CircuitSettings Circuit(
        string downstream = "http://downstream.test/",
        double timeoutSeconds = 10,
        int threshold = 3,
        double windowSeconds = 60,
        double openSeconds = 60,
        bool failOpen = true,
        double? failureRatio = null,
        int minimumThroughput = 100,
        double? slowCallSeconds = null,
        double? maxOpenSeconds = null) => new(
            new Uri(downstream).Host,
            new RouteTarget { DownstreamUrl = new Uri(downstream), DownstreamTimeout = TimeSpan.FromSeconds(timeoutSeconds) },
            Policy(threshold, windowSeconds, openSeconds, failOpen, failureRatio, minimumThroughput, slowCallSeconds, maxOpenSeconds));

    public static CircuitPolicy Policy(
        int threshold = 3,
        double windowSeconds = 60,
        double openSeconds = 60,
        bool failOpen = true,
        double? failureRatio = null,
        int minimumThroughput = 100,
        double? slowCallSeconds = null,
        double? maxOpenSeconds = null) => CircuitPolicy.Default with
        {
            FailureThreshold = threshold,
            Window = TimeSpan.FromSeconds(windowSeconds),
            OpenDuration = TimeSpan.FromSeconds(openSeconds),
            FailOpen = failOpen,
            FailureRatio = failureRatio,
            MinimumThroughput = minimumThroughput,
            SlowCallThreshold = slowCallSeconds is { } slow ? TimeSpan.FromSeconds(slow) : null,
            MaxOpenDuration = TimeSpan.FromSeconds(maxOpenSeconds ?? openSeconds),
        };
}
