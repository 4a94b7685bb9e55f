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
        double? maxOpenSeconds = null) => new()
        {
            DownstreamUrl = new Uri(downstream),
            DownstreamTimeout = TimeSpan.FromSeconds(timeoutSeconds),
            FailureThreshold = threshold,
            Window = TimeSpan.FromSeconds(windowSeconds),
            OpenDuration = TimeSpan.FromSeconds(openSeconds),
            FailOpen = failOpen,
            ServiceId = new Uri(downstream).Host,
            FailureRatio = failureRatio,
            MinimumThroughput = minimumThroughput,
            SlowCallThreshold = slowCallSeconds is { } slow ? TimeSpan.FromSeconds(slow) : null,
            MaxOpenDuration = TimeSpan.FromSeconds(maxOpenSeconds ?? openSeconds),
        };
}
