using System.Text.Json;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Logging;
using CircuitBreaker.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace CircuitBreaker.Tests.Logging;

public sealed class EmbeddedMetricsTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 12, 0, 0, 123, TimeSpan.Zero));

    private JsonElement WriteLine(EmbeddedMetrics metrics, params (string, object?)[] fields)
    {
        var log = new CapturedLog(_time, "webservice");
        log.Log.Info("request handled", new LogScope("req-1", "orders.example.com", "closed"), metrics, fields);
        return Assert.Single(log.Lines);
    }

    [Fact]
    public void ALineWithMetricsHasTheSpecificationsRequiredShape()
    {
        var metrics = new EmbeddedMetrics("Team/Breakers", "orders.example.com")
            .Count(CircuitMetrics.Relayed)
            .Duration(CircuitMetrics.DownstreamLatency, TimeSpan.FromMilliseconds(12.3456));

        var line = WriteLine(metrics, ("status", 200));

        var values = EmbeddedMetricsShape.AssertValid(line, "Team/Breakers", _time.GetUtcNow().ToUnixTimeMilliseconds());
        Assert.Equal(1, values[CircuitMetrics.Relayed]);
        Assert.Equal(12.346, values[CircuitMetrics.DownstreamLatency]);
        Assert.Equal("orders.example.com", line.GetProperty(CircuitMetrics.ServiceIdDimension).GetString());
        var dimensions = line.GetProperty("_aws").GetProperty("CloudWatchMetrics")[0].GetProperty("Dimensions");
        Assert.Equal("""[["ServiceId"]]""", dimensions.GetRawText());
        var units = line.GetProperty("_aws").GetProperty("CloudWatchMetrics")[0].GetProperty("Metrics").EnumerateArray()
            .ToDictionary(m => m.GetProperty("Name").GetString()!, m => m.GetProperty("Unit").GetString());
        Assert.Equal("Count", units[CircuitMetrics.Relayed]);
        Assert.Equal("Milliseconds", units[CircuitMetrics.DownstreamLatency]);

        // The line's own fields are still there beside the metrics.
        Assert.Equal("request handled", line.GetProperty("message").GetString());
        Assert.Equal(200, line.GetProperty("status").GetInt32());
    }

    [Fact]
    public void ALineWithoutMetricsCarriesNoAwsMember()
    {
        var line = WriteLine(new EmbeddedMetrics("CircuitBreaker", "svc"));

        Assert.False(line.TryGetProperty("_aws", out _));
        Assert.False(line.TryGetProperty(CircuitMetrics.ServiceIdDimension, out _));
    }

    [Fact]
    public void CountsOfOneNameAddUpAndADurationIsReplaced()
    {
        var metrics = new EmbeddedMetrics("CircuitBreaker", "svc")
            .Count(CircuitMetrics.FailuresRecorded)
            .Count(CircuitMetrics.FailuresRecorded, 2)
            .Duration(CircuitMetrics.DownstreamLatency, TimeSpan.FromMilliseconds(5))
            .Duration(CircuitMetrics.DownstreamLatency, TimeSpan.FromMilliseconds(7));

        var values = EmbeddedMetricsShape.AssertValid(WriteLine(metrics), "CircuitBreaker", _time.GetUtcNow().ToUnixTimeMilliseconds());

        Assert.Equal(3, values[CircuitMetrics.FailuresRecorded]);
        Assert.Equal(7, values[CircuitMetrics.DownstreamLatency]);
        Assert.Equal(2, values.Count);
    }

    [Fact]
    public void NamesTheFormatUsesOrAUnitClashAreRefused()
    {
        var metrics = new EmbeddedMetrics("CircuitBreaker", "svc").Count(CircuitMetrics.Probe);

        Assert.Throws<ArgumentException>(() => metrics.Count(CircuitMetrics.ServiceIdDimension));
        Assert.Throws<ArgumentException>(() => metrics.Count("_aws"));
        Assert.Throws<ArgumentException>(() => metrics.Duration(CircuitMetrics.Probe, TimeSpan.FromSeconds(1)));
    }
}
