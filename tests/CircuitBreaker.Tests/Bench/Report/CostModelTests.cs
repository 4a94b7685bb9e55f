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
