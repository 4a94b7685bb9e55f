using CircuitBreaker.Contract;
using CircuitBreaker.Local.DynamoDb;

namespace CircuitBreaker.Bench.Stack;

/// <summary>The breaker's settings for a run, scaled down from production's.</summary>
internal sealed record StackSettings(
    TimeSpan DownstreamTimeout,
    int FailureThreshold,
    TimeSpan Window,
    TimeSpan OpenDuration)
{
    public const string ServiceId = "downstream";

    /// <summary>
    /// The bench's scale: production's durations times this (10 s timeout, 60 s window and open period become 1 s, 6 s, 6 s),
    /// and DynamoDB's per-item limits times the same (<see cref="ScaledItemLimits"/>), so that a run meets them at the
    /// same share of its traffic as production would.
    /// </summary>
    public const double TimeScale = 0.1;

    /// <summary>DynamoDB's per-item read and write limits at the bench's scale: 300 read and 100 write units per second.</summary>
    public static ItemThroughputLimits ScaledItemLimits { get; } = ItemThroughputLimits.DynamoDbPartition.Scaled(TimeScale);

    /// <summary>
    /// When set, the functions reach DynamoDB through proxies that hold each item to these limits, answering over them as
    /// DynamoDB does; null (the default) counts the requests without limiting them.
    /// </summary>
    public ItemThroughputLimits? DynamoDbItemLimits { get; init; }

    /// <summary>
    /// How long the local EventBridge holds each failure event before delivering it to the recorder (default none): 0.13 s
    /// runs with the P99 AWS published for EventBridge (docs/design.md, "What the local host emulates").
    /// </summary>
    public TimeSpan EventDeliveryLatency { get; init; }

    public CircuitSettings ToCircuitSettings(Uri downstreamUrl) => new(
        ServiceId,
        new RouteTarget { DownstreamUrl = downstreamUrl, DownstreamTimeout = DownstreamTimeout },
        CircuitPolicy.Default with { FailureThreshold = FailureThreshold, Window = Window, OpenDuration = OpenDuration, FailOpen = true });
}
