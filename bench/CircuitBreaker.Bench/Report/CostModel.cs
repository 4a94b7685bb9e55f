namespace CircuitBreaker.Bench.Report;

/// <summary>A production outage to price: how long, how busy, and the breaker's settings.</summary>
internal sealed record OutageProfile(
    TimeSpan Duration,
    double RequestsPerSecond,
    TimeSpan DownstreamTimeout,
    int MemoryMegabytes,
    TimeSpan Window,
    TimeSpan OpenDuration,
    TimeSpan FailureToCountedDelay)
{
    /// <summary>The outage: 10 minutes at 50 req/s, 10 s timeout, 256 MB, 60 s window and open period.</summary>
    public static OutageProfile Production(TimeSpan failureToCountedDelay) => new(
        TimeSpan.FromMinutes(10), 50, TimeSpan.FromSeconds(10), 256, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(60), failureToCountedDelay);

    public double Requests => RequestsPerSecond * Duration.TotalSeconds;

    /// <summary>From the first request into a dead downstream to the circuit counting its failures: the timeout, then publishing and recording.</summary>
    public TimeSpan TimeToFirstCount => DownstreamTimeout + FailureToCountedDelay;
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
    /// <summary>Ours: opens once, then one probe per open period (DESIGN §4).</summary>
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
        // Until the first failures are counted, every request finds the circuit closed and calls.
        var untilCounted = outage.TimeToFirstCount.TotalSeconds;
        var rate = outage.RequestsPerSecond;
        var duration = outage.Duration.TotalSeconds;
        var firstWave = rate * Math.Min(untilCounted, duration);
        return design switch
        {
            // Then open; after each open period one probe runs for a full timeout and reopens the circuit.
            AdmissionDesign.OpenThenSingleProbe =>
                firstWave + Math.Floor(Math.Max(0, duration - untilCounted) / (outage.OpenDuration + outage.DownstreamTimeout).TotalSeconds),

            // Then the count stays at or above the threshold for one window; when those failures expire every
            // request calls again until the new failures are counted: a wave per (window + time to count).
            _ => firstWave * Math.Ceiling(duration / (outage.Window.TotalSeconds + untilCounted)),
        };
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

    private static decimal Price(double units, AwsPrice price) => (decimal)units * price.UsdPerUnit;
}
