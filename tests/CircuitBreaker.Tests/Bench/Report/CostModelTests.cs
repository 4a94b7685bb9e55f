using CircuitBreaker.Bench.Report;

namespace CircuitBreaker.Tests.Bench.Report;

public sealed class CostModelTests
{
    // 100 s at 10 req/s, 1 s timeout, window 20 s, open 8 s, 1 s from failure to counted: 2 s until the first count.
    private static readonly OutageProfile Profile = new(
        TimeSpan.FromSeconds(100), 10, TimeSpan.FromSeconds(1), 1024, TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(1));

    [Fact]
    public void OursCallsDuringTheFirstWaveThenOneProbePerOpenPeriod()
    {
        // First wave: 10 req/s × 2 s = 20; then floor((100 - 2) / (8 + 1)) = 10 probes.
        Assert.Equal(30, CostModel.DownstreamCalls(AdmissionDesign.OpenThenSingleProbe, Profile));
    }

    [Fact]
    public void TheOriginalLetsAWholeWaveThroughEachTimeTheFailuresExpire()
    {
        // A wave of 20 per (20 s window + 2 s): ceil(100 / 22) = 5 waves.
        Assert.Equal(100, CostModel.DownstreamCalls(AdmissionDesign.CountRecentFailures, Profile));
    }

    [Fact]
    public void UsageChargesAFullTimeoutPerCallAndTheMeasuredTimePerFastFail()
    {
        var unit = new UnitCosts(FastFailMilliseconds: 2, RecorderMilliseconds: 10, ReadUnitsPerWebserviceRequest: 0.5, ReadUnitsPerEvent: 1, WriteUnitsPerEvent: 2);

        var usage = CostModel.Usage(AdmissionDesign.OpenThenSingleProbe, Profile, unit);

        Assert.Equal(1000, usage.Requests);
        Assert.Equal(30, usage.DownstreamCalls);
        Assert.Equal(970, usage.FastFails);
        Assert.Equal(30, usage.Events);
        Assert.Equal((30 * 1.0) + (970 * 0.002) + (30 * 0.010), usage.FunctionSeconds, 9);
        Assert.Equal(usage.FunctionSeconds, usage.GigabyteSeconds, 9); // 1024 MB
        Assert.Equal((1000 * 0.5) + 30, usage.ReadRequestUnits, 9);
        Assert.Equal(60, usage.WriteRequestUnits, 9);
    }

    [Fact]
    public void TheBillMultipliesUnitsByThePublishedPrices()
    {
        var usage = new OutageUsage(
            Requests: 1_000_000, DownstreamCalls: 0, FastFails: 1_000_000, Events: 1_000_000,
            FunctionSeconds: 0, GigabyteSeconds: 100_000, ReadRequestUnits: 8_000_000, WriteRequestUnits: 1_600_000);

        var bill = CostModel.Bill(usage);

        Assert.Equal(0.40m, bill.LambdaRequests); // webservice and recorder invocations
        Assert.Equal(1.33334m, bill.LambdaDuration);
        Assert.Equal(1.00m, bill.HttpApi);
        Assert.Equal(1.00m, bill.EventBridge);
        Assert.Equal(1.00m, bill.DynamoDbReads);
        Assert.Equal(1.00m, bill.DynamoDbWrites);
        Assert.Equal(5.73334m, bill.Total);
    }

    [Fact]
    public void EveryPriceNamesItsSourceAndDate()
    {
        Assert.All(AwsPrices.All, price =>
        {
            Assert.True(price.UsdPerUnit > 0);
            Assert.Contains("https://", price.Source, StringComparison.Ordinal);
            Assert.False(string.IsNullOrWhiteSpace(price.SourceDate));
        });
    }
}

public sealed class CostModelModeTests
{
    // As CostModelTests: 100 s at 10 req/s, 1 s timeout, window 20 s, open 8 s, 1 s from failure to counted.
    private static readonly OutageProfile Profile = new(
        TimeSpan.FromSeconds(100), 10, TimeSpan.FromSeconds(1), 1024, TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(1));

    [Fact]
    public void SlowCallsShortenTheFirstWaveAndEachProbe()
    {
        var slow = Profile with { SlowCallThreshold = TimeSpan.FromSeconds(0.2) };

        // First wave: 10 req/s × (0.2 s + 1 s) = 12; then floor((100 - 1.2) / (8 + 0.2)) = 12 probes.
        Assert.Equal(12, CostModel.FirstWave(slow), 9);
        Assert.Equal(12, CostModel.Probes(slow));
        Assert.Equal(24, CostModel.DownstreamCalls(AdmissionDesign.OpenThenSingleProbe, slow), 9);
    }

    [Fact]
    public void BackoffDoublesTheOpenPeriodUpToItsCap()
    {
        var backoff = Profile with { MaxOpenDuration = TimeSpan.FromSeconds(32) };

        // Probes end at 2 + 9 = 11, 11 + 17 = 28, 28 + 33 = 61, 61 + 33 = 94; the next would end at 127.
        Assert.Equal(4, CostModel.Probes(backoff));
        Assert.Equal(24, CostModel.DownstreamCalls(AdmissionDesign.OpenThenSingleProbe, backoff), 9);
    }

    [Fact]
    public void TheOriginalIgnoresOurModes()
    {
        var withModes = Profile with { SlowCallThreshold = TimeSpan.FromSeconds(0.2), MaxOpenDuration = TimeSpan.FromSeconds(32) };

        // The original's profile never carries modes (ProductionProfile leaves them off); it shows what they would change.
        Assert.Equal(100, CostModel.DownstreamCalls(AdmissionDesign.CountRecentFailures, Profile));
        Assert.NotEqual(
            CostModel.DownstreamCalls(AdmissionDesign.OpenThenSingleProbe, Profile),
            CostModel.DownstreamCalls(AdmissionDesign.OpenThenSingleProbe, withModes));
    }

    [Fact]
    public void WithModesTakesTheSlowThresholdAndOnlyACapAboveTheOpenPeriod()
    {
        var settings = CircuitBreaker.Bench.Report.OutageProfile.ProductionSettings;

        var plain = Profile.WithModes(settings);
        var moded = Profile.WithModes(settings with { Policy = settings.Policy with { SlowCallThreshold = TimeSpan.FromSeconds(2), MaxOpenDuration = TimeSpan.FromSeconds(480) } });

        Assert.Null(plain.SlowCallThreshold);
        Assert.Null(plain.MaxOpenDuration);
        Assert.Equal(TimeSpan.FromSeconds(2), moded.SlowCallThreshold);
        Assert.Equal(TimeSpan.FromSeconds(480), moded.MaxOpenDuration);
    }

    [Fact]
    public void TheProductionRowsOfEachVariantFollowItsModes()
    {
        static double Calls(CircuitBreaker.Bench.Stack.BreakerVariant variant) =>
            CostModel.DownstreamCalls(variant.Design, CircuitBreaker.Bench.Report.CostSection.ProductionProfile(variant));

        // 600 s at 50 req/s, 10 s timeout, 60 s window and open, 1 s delivery.
        // Original: a wave of 50 × 11 = 550 per (60 + 11) s: ceil(600 / 71) = 9 waves.
        Assert.Equal(4950, Calls(new CircuitBreaker.Bench.Stack.BaselineVariant()));

        // Count mode: 550, then floor((600 - 11) / 70) = 8 probes.
        Assert.Equal(558, Calls(CircuitBreaker.Bench.Stack.OursVariant.Count()));

        // Slow calls at 2 s: 50 × 3 = 150, then floor((600 - 3) / 62) = 9 probes.
        Assert.Equal(159, Calls(CircuitBreaker.Bench.Stack.OursVariant.SlowCalls()));

        // Backoff to 480 s: 550, then probes ending at 81, 211, 461; the next would end at 951.
        Assert.Equal(553, Calls(CircuitBreaker.Bench.Stack.OursVariant.Backoff()));

        // Both: 150, then probes ending at 65, 187, 429.
        Assert.Equal(153, Calls(CircuitBreaker.Bench.Stack.OursVariant.SlowCallsAndBackoff()));
    }
}
