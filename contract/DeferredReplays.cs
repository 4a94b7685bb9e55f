using System.Text.Json.Serialization;

namespace CircuitBreaker.Contract;

/// <summary>
/// The event that asks the replayer to replay a circuit's deferred requests without a state change: put by
/// <c>circuitctl deferred replay</c>, and by the replayer itself when its time budget ends before the last request
/// (so that the next invocation resumes at once). It matches the replayer's rule (<see cref="EventPatterns.ReplayOnClose"/>)
/// and not the state-change one.
/// </summary>
public static class DeferredReplays
{
    /// <summary>The event's <c>detail-type</c>; its source is <see cref="StateChangeEvents.Source"/>.</summary>
    public const string DetailType = "Deferred Replay Requested";

    /// <summary>The header that carries a deferred request's id on the 202 answer.</summary>
    public const string IdHeader = "Circuit-Breaker-Deferred-Id";

    /// <summary>The header each replayed request carries: the client's own when it sent one, else the deferred id.</summary>
    public const string IdempotencyKeyHeader = "Idempotency-Key";
}

/// <summary>The <c>detail</c> of a <see cref="DeferredReplays"/> event.</summary>
/// <param name="ServiceId">The circuit whose deferred requests to replay.</param>
/// <param name="To">Always <see cref="CircuitStateNames.Closed"/>: the replayer's rule matches it, as on a state change.</param>
/// <param name="Reason">Who asked, in words.</param>
/// <param name="RequestId">The invocation (or tool run) that asked.</param>
public sealed record DeferredReplayDetail(
    [property: JsonPropertyName("serviceId")] string ServiceId,
    [property: JsonPropertyName("to")] string To,
    [property: JsonPropertyName("reason")] string Reason,
    [property: JsonPropertyName("requestId")] string? RequestId);
