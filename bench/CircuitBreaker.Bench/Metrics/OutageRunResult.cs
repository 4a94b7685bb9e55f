using CircuitBreaker.Bench.Load;

namespace CircuitBreaker.Bench.Metrics;

/// <summary>Everything recorded in one run of one variant; <see cref="Scenario"/> names the fault ("hang" or "noise"), <see cref="FaultDescription"/> describes it.</summary>
internal sealed record OutageRunResult(
    TimeSpan DownstreamTimeout,
    string Variant,
    int Repetition,
    OutagePhases Phases,
    IReadOnlyList<RequestSample> Requests,
    IReadOnlyList<StateSample> States,
    IReadOnlyList<HandlerTiming> Invocations,
    IReadOnlyDictionary<string, int> WebserviceDynamoDbOperations,
    IReadOnlyDictionary<string, int> RecorderDynamoDbOperations,
    int WebserviceReads,
    int WebserviceWrites,
    int RecorderReads,
    int RecorderWrites,
    double ReadUnitsPerRead,
    double WriteUnitsPerWrite,
    long DownstreamCalls,
    long DownstreamCallsWhileUnhealthy,
    long EventsPublished,
    long EventDeliveries,
    int WebserviceInstances,
    int RecorderInstances,
    int ShedByDriver,
    DynamoDbCounts AtOutageStart,
    DynamoDbCounts AtRecovery,
    string Scenario = "hang",
    string FaultDescription = "downstream hangs",
    double LoadAverage = double.NaN);

/// <summary>DynamoDB requests counted so far, by function: snapshots at the phase boundaries isolate the outage.</summary>
internal readonly record struct DynamoDbCounts(int WebserviceReads, int WebserviceWrites, int RecorderReads, int RecorderWrites)
{
    public static DynamoDbCounts operator -(DynamoDbCounts a, DynamoDbCounts b) => new(
        a.WebserviceReads - b.WebserviceReads,
        a.WebserviceWrites - b.WebserviceWrites,
        a.RecorderReads - b.RecorderReads,
        a.RecorderWrites - b.RecorderWrites);
}

/// <summary>When the downstream broke and when it recovered, since the run began.</summary>
internal sealed record OutagePhases(TimeSpan OutageStartsAt, TimeSpan RecoveryStartsAt, TimeSpan EndsAt);

/// <summary>The circuit's state as stored, sampled by an observer.</summary>
internal readonly record struct StateSample(TimeSpan At, string State);

internal static class OutageRunResultExtensions
{
    public static int DynamoDbReads(this OutageRunResult run) => run.WebserviceReads + run.RecorderReads;

    public static int DynamoDbWrites(this OutageRunResult run) => run.WebserviceWrites + run.RecorderWrites;
}
