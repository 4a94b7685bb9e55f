using CircuitBreaker.Contract;

namespace CircuitBreaker.Bench.Report;

/// <summary>
/// An outage to price: how long, how busy, and the breaker's settings; <see cref="SlowCallThreshold"/> (null: off)
/// and <see cref="MaxOpenDuration"/> (null: no backoff) are our modes' and do not apply to the original.
/// </summary>
internal sealed record OutageProfile(
    TimeSpan Duration,
    double RequestsPerSecond,
    TimeSpan DownstreamTimeout,
    int MemoryMegabytes,
    TimeSpan Window,
    TimeSpan OpenDuration,
    TimeSpan FailureToCountedDelay,
    TimeSpan? SlowCallThreshold = null,
    TimeSpan? MaxOpenDuration = null)
{
    /// <summary>The outage: 10 minutes at 50 req/s, 10 s timeout, 256 MB, 60 s window and open period.</summary>
    public static OutageProfile Production(TimeSpan failureToCountedDelay) => new(
        TimeSpan.FromMinutes(10), 50, TimeSpan.FromSeconds(10), 256, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(60), failureToCountedDelay);

    /// <summary>The production settings for the original (none of our modes).</summary>
    public static CircuitSettings ProductionSettings => new(
        "downstream",
        new RouteTarget { DownstreamUrl = new Uri("http://127.0.0.1/"), DownstreamTimeout = TimeSpan.FromSeconds(10) },
        CircuitPolicy.Default with { FailureThreshold = 3, Window = TimeSpan.FromSeconds(60), OpenDuration = TimeSpan.FromSeconds(60), FailOpen = true });

    public double Requests => RequestsPerSecond * Duration.TotalSeconds;

    /// <summary>How long a dead call runs before its failure is published: the slow-call threshold when set, else the full timeout.</summary>
    public TimeSpan TimeToDetect => SlowCallThreshold ?? DownstreamTimeout;

    /// <summary>From the first request into a dead downstream to the circuit counting its failures: detection, then publishing and recording.</summary>
    public TimeSpan TimeToFirstCount => TimeToDetect + FailureToCountedDelay;

    /// <summary>This profile with a mode's slow-call threshold and backoff cap (backoff only when the cap exceeds the open period).</summary>
    public OutageProfile WithModes(CircuitSettings mode) => this with
    {
        SlowCallThreshold = mode.Policy.SlowCallThreshold,
        MaxOpenDuration = mode.Policy.MaxOpenDuration > mode.Policy.OpenDuration ? mode.Policy.MaxOpenDuration : null,
    };
}

/// <summary>What one design spends per request of each kind, as measured on this machine.</summary>
/// <param name="FastFailMilliseconds">Mean webservice duration of a request answered without calling the downstream.</param>
/// <param name="RecorderMilliseconds">Mean recorder duration per delivered failure event.</param>
/// <param name="ReadUnitsPerWebserviceRequest">DynamoDB read request units per webservice request during the outage.</param>
/// <param name="ReadUnitsPerEvent">Read request units per recorded event.</param>
/// <param name="WriteUnitsPerEvent">Write request units per recorded event (including state transitions and index writes).</param>
internal sealed record UnitCosts(
    double FastFailMilliseconds,
    double RecorderMilliseconds,
    double ReadUnitsPerWebserviceRequest,
    double ReadUnitsPerEvent,
    double WriteUnitsPerEvent);

/// <summary>How a design lets requests through to a dead downstream.</summary>
internal enum AdmissionDesign
{
    /// <summary>Ours: opens once, then one probe per open period (doubling up to the cap with backoff).</summary>
    OpenThenSingleProbe,

    /// <summary>The original: when the counted failures expire, every request calls the downstream until new failures are counted.</summary>
    CountRecentFailures,
}

/// <summary>The usage an outage causes, in billable units.</summary>
internal sealed record OutageUsage(
    double Requests,
    double DownstreamCalls,
    double FastFails,
    double Events,
    double FunctionSeconds,
    double GigabyteSeconds,
    double ReadRequestUnits,
    double WriteRequestUnits);

/// <summary>The bill for an outage, by line.</summary>
internal sealed record OutageBill(
    decimal LambdaRequests,
    decimal LambdaDuration,
    decimal HttpApi,
    decimal EventBridge,
    decimal DynamoDbReads,
    decimal DynamoDbWrites)
{
    public decimal Total => LambdaRequests + LambdaDuration + HttpApi + EventBridge + DynamoDbReads + DynamoDbWrites;
}

/// <summary>
/// Prices an outage for a design: the number of calls into the dead downstream follows from the design and the
/// settings (each call costs a full timeout); everything else is the measured per-request figures times counts.
/// </summary>
internal static class CostModel
{
    /// <summary>Calls that reach the downstream while it hangs.</summary>
    public static double DownstreamCalls(AdmissionDesign design, OutageProfile outage)
    {
        var untilCounted = outage.TimeToFirstCount.TotalSeconds;
        var duration = outage.Duration.TotalSeconds;
        return design switch
        {
            // Then open; after each open period one probe hangs until it is detected and reopens the circuit.
            AdmissionDesign.OpenThenSingleProbe => FirstWave(outage) + Probes(outage),

            // Then the count stays at or above the threshold for one window; when those failures expire every
            // request calls again until the new failures are counted: a wave per (window + time to count).
            _ => FirstWave(outage) * Math.Ceiling(duration / (outage.Window.TotalSeconds + untilCounted)),
        };
    }

    /// <summary>Until the first failures are counted, every request finds the circuit closed and calls: rate × time to count.</summary>
    public static double FirstWave(OutageProfile outage) =>
        outage.RequestsPerSecond * Math.Min(outage.TimeToFirstCount.TotalSeconds, outage.Duration.TotalSeconds);

    /// <summary>Our probes into the dead downstream after the first opening: one per open period plus detection, the period doubling up to the cap with backoff (jitter averages out).</summary>
    public static double Probes(OutageProfile outage)
    {
        var duration = outage.Duration.TotalSeconds;
        var detect = outage.TimeToDetect.TotalSeconds;
        var cap = (outage.MaxOpenDuration ?? outage.OpenDuration).TotalSeconds;
        var period = outage.OpenDuration.TotalSeconds;
        var at = outage.TimeToFirstCount.TotalSeconds;
        var probes = 0;
        while (at + period + detect <= duration)
        {
            at += period + detect;
            probes++;
            period = Math.Min(period * 2, Math.Max(cap, outage.OpenDuration.TotalSeconds));
        }

        return probes;
    }

    public static OutageUsage Usage(AdmissionDesign design, OutageProfile outage, UnitCosts unit)
    {
        var requests = outage.Requests;
        var calls = Math.Min(requests, DownstreamCalls(design, outage));
        var fastFails = requests - calls;
        var events = calls;
        var functionSeconds = (calls * outage.DownstreamTimeout.TotalSeconds)
            + (fastFails * unit.FastFailMilliseconds / 1000)
            + (events * unit.RecorderMilliseconds / 1000);
        return new OutageUsage(
            requests,
            calls,
            fastFails,
            events,
            functionSeconds,
            functionSeconds * outage.MemoryMegabytes / 1024.0,
            (requests * unit.ReadUnitsPerWebserviceRequest) + (events * unit.ReadUnitsPerEvent),
            events * unit.WriteUnitsPerEvent);
    }

    public static OutageBill Bill(OutageUsage usage) => new(
        Price(usage.Requests + usage.Events, AwsPrices.LambdaRequests),
        Price(usage.GigabyteSeconds, AwsPrices.LambdaArmGbSecond),
        Price(usage.Requests, AwsPrices.HttpApiRequests),
        Price(usage.Events, AwsPrices.EventBridgeCustomEvents),
        Price(usage.ReadRequestUnits, AwsPrices.DynamoDbReadRequestUnits),
        Price(usage.WriteRequestUnits, AwsPrices.DynamoDbWriteRequestUnits));

    // A unit cost the runs could not measure (no such invocation at all) leaves its line unpriced rather than failing the report.
    private static decimal Price(double units, AwsPrice price) => double.IsFinite(units) ? (decimal)units * price.UsdPerUnit : 0m;
}
