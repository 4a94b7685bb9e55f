namespace CircuitBreaker.Contract;

/// <summary>
/// Names of the CloudWatch metrics the functions write in Embedded Metric Format, under the namespace of
/// <see cref="CircuitSettingKeys.MetricsNamespace"/>. The stack's alarm and dashboard refer to the same names.
/// </summary>
public static class CircuitMetrics
{
    /// <summary>The one dimension of every metric: the circuit's key.</summary>
    public const string ServiceIdDimension = "ServiceId";

    /// <summary>Requests whose downstream answer was relayed (Count).</summary>
    public const string Relayed = "Relayed";

    /// <summary>Requests refused without a downstream call because the circuit was open, half-open or isolated (Count).</summary>
    public const string FailedFast = "FailedFast";

    /// <summary>Requests whose downstream call timed out (Count).</summary>
    public const string DownstreamTimeout = "DownstreamTimeout";

    /// <summary>Requests whose downstream call failed otherwise: connection error or 5xx (Count).</summary>
    public const string DownstreamError = "DownstreamError";

    /// <summary>Requests that were the half-open probe (Count).</summary>
    public const string Probe = "Probe";

    /// <summary>How long the downstream call took (Milliseconds).</summary>
    public const string DownstreamLatency = "DownstreamLatency";

    /// <summary>Failures the recorder stored (Count).</summary>
    public const string FailuresRecorded = "FailuresRecorded";

    /// <summary>
    /// Failure events the recorder refused because it could not read them (not JSON, a field missing or of the wrong
    /// type): acknowledged, not retried, not counted as failures (Count).
    /// </summary>
    public const string FailureEventsRejected = "FailureEventsRejected";

    /// <summary>
    /// Requests whose read of the circuit's state DynamoDB throttled: decided on the state read shortly before, or by
    /// <c>failOpen</c> when none was recent; never retried on the request path (Count).
    /// </summary>
    public const string StateReadsThrottled = "StateReadsThrottled";

    /// <summary>Transitions into open (Count).</summary>
    public const string CircuitOpened = "CircuitOpened";

    /// <summary>Transitions into closed (Count).</summary>
    public const string CircuitClosed = "CircuitClosed";

    /// <summary><c>whenOpen: stale</c>: requests answered with a stored answer instead of a refusal or a failed call (Count).</summary>
    public const string StaleServed = "StaleServed";

    /// <summary><c>whenOpen: stale</c>: answers written to the table to be served stale later (Count).</summary>
    public const string StaleStored = "StaleStored";

    /// <summary><c>whenOpen: static</c>: requests answered with the route's configured answer instead of a refusal (Count).</summary>
    public const string StaticServed = "StaticServed";

    /// <summary>Requests stored by <c>whenOpen: defer</c> and answered 202 (Count).</summary>
    public const string Deferred = "Deferred";

    /// <summary>Requests <c>whenOpen: defer</c> could not store (a store fault, too large), answered as without defer (Count).</summary>
    public const string DeferFailed = "DeferFailed";

    /// <summary>Deferred requests the replayer sent and the downstream answered (Count).</summary>
    public const string Replayed = "Replayed";

    /// <summary>Replays of a deferred request that failed (Count).</summary>
    public const string ReplayFailed = "ReplayFailed";

    /// <summary>Deferred requests sent to the dead-letter queue after <c>deferMaxAttempts</c> failed replays (Count).</summary>
    public const string ReplayDeadLettered = "ReplayDeadLettered";
}
