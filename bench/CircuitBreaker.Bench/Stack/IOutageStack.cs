using CircuitBreaker.Bench.Load;

namespace CircuitBreaker.Bench.Stack;

/// <summary>What an outage run drives and reads: the HTTP API, the downstream's switch, and the counters.</summary>
internal interface IOutageStack : IAsyncDisposable
{
    BreakerVariant Variant { get; }

    Uri ApiBaseAddress { get; }

    TimeSpan DownstreamTimeout { get; }

    long StartedTimestamp { get; }

    HandlerTimings Timings { get; }

    DynamoDbRequestCounter WebserviceDynamoDb { get; }

    DynamoDbRequestCounter RecorderDynamoDb { get; }

    long DownstreamCallsWhileUnhealthy { get; }

    long DownstreamCalls { get; }

    long EventsPublished { get; }

    long EventDeliveries { get; }

    int WebserviceInstances { get; }

    int RecorderInstances { get; }

    string DownstreamState { get; }

    /// <summary>Makes the downstream faulty as <paramref name="fault"/> says, or healthy again (null).</summary>
    void SetDownstreamFault(DownstreamFault? fault);

    void ResetCounters();

    Task DrainEventsAsync(CancellationToken cancellationToken);

    Task<string> ReadStateAsync(CancellationToken cancellationToken);
}
