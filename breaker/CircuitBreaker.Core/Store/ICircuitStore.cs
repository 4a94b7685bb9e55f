namespace CircuitBreaker.Core.Store;

/// <summary>
/// Where failures and circuit state persist. Every transition is a conditional write that succeeds for
/// exactly one of any number of concurrent callers; the methods return false when the condition did not hold.
/// Faults of the store itself (unreachable, throttled) surface as <see cref="CircuitStoreUnavailableException"/>.
/// </summary>
public interface ICircuitStore
{
    /// <summary>Reads the state item with a strongly consistent read; a missing item reads as closed, version 0.</summary>
    Task<CircuitRecord> GetAsync(string serviceId, CancellationToken cancellationToken);

    /// <summary>
    /// Stores one failure, keyed on its event id so a redelivered event is stored once.
    /// Returns false when that event was already stored.
    /// </summary>
    Task<bool> RecordFailureAsync(FailureRecord failure, CancellationToken cancellationToken);

    /// <summary>
    /// Counts failures that happened at or after <paramref name="since"/> and at or before <paramref name="until"/>,
    /// whatever TTL has or has not deleted yet, stopping at <paramref name="limit"/> (strongly consistent).
    /// </summary>
    Task<int> CountFailuresAsync(string serviceId, DateTimeOffset since, DateTimeOffset until, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Adds <see cref="SuccessCount.Count"/> to the success counter of its time bucket in one atomic write, creating
    /// it when absent, unless the flush <see cref="SuccessCount.FlushId"/> was added already: idempotent, so a flush
    /// whose answer was lost is sent again as it was and counts once.
    /// </summary>
    /// <returns>True when added now; false when that flush had been added before (nothing added).</returns>
    Task<bool> AddSuccessesAsync(SuccessCount successes, CancellationToken cancellationToken);

    /// <summary>
    /// Sums the success counters of the buckets that start at or after <paramref name="since"/>, whatever TTL has or
    /// has not deleted yet (strongly consistent).
    /// </summary>
    Task<long> SumSuccessesAsync(string serviceId, DateTimeOffset since, CancellationToken cancellationToken);

    /// <summary>Closed (at <paramref name="expectedVersion"/>) → open until <paramref name="openUntil"/>, with no failed probes yet.</summary>
    Task<bool> TryOpenAsync(string serviceId, long expectedVersion, DateTimeOffset openUntil, CancellationToken cancellationToken);

    /// <summary>
    /// Open past its <c>OpenUntil</c>, or half-open with a lapsed lease, → half-open with
    /// <paramref name="owner"/> holding the probe lease until <paramref name="leaseUntil"/>.
    /// </summary>
    Task<bool> TryAcquireProbeAsync(string serviceId, string owner, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken cancellationToken);

    /// <summary>Half-open held by <paramref name="owner"/> → closed at <paramref name="closedAt"/>.</summary>
    Task<bool> TryCloseAsync(string serviceId, string owner, DateTimeOffset closedAt, CancellationToken cancellationToken);

    /// <summary>
    /// Half-open held by <paramref name="owner"/> → open until <paramref name="openUntil"/>, with
    /// <paramref name="failedProbes"/> failed probes in a row.
    /// </summary>
    Task<bool> TryReopenAsync(string serviceId, string owner, DateTimeOffset openUntil, int failedProbes, CancellationToken cancellationToken);

    /// <summary>
    /// Half-open held by <paramref name="owner"/> → half-open with no owner and the lease ended at <paramref name="now"/>:
    /// a probe given up without an outcome (its caller cancelled, or no time was left to run it) lets the next request
    /// probe at once instead of holding everyone off until its lease lapses. Failed probes in a row are kept.
    /// </summary>
    Task<bool> TryReleaseProbeAsync(string serviceId, string owner, DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>One failure to store.</summary>
/// <param name="ServiceId">The circuit's key.</param>
/// <param name="EventId">The EventBridge event's id: the idempotency key.</param>
/// <param name="FailedAt">When the call failed.</param>
/// <param name="ExpiresAt">When TTL may delete the item (epoch seconds in the table).</param>
/// <param name="Reason">One of <c>FailureReasons</c>.</param>
public sealed record FailureRecord(string ServiceId, string EventId, DateTimeOffset FailedAt, DateTimeOffset ExpiresAt, string Reason);

/// <summary>Successful downstream calls to add to one time bucket's counter, as one flush of one instance.</summary>
/// <param name="ServiceId">The circuit's key.</param>
/// <param name="BucketStart">The start of the bucket the calls belong to.</param>
/// <param name="Count">How many calls to add; at least 1.</param>
/// <param name="ExpiresAt">When TTL may delete the counter (epoch seconds in the table).</param>
/// <param name="FlushId">This flush's own id (<see cref="Breaker.SuccessFlushIds"/>), the same on every attempt to add it.</param>
public sealed record SuccessCount(string ServiceId, DateTimeOffset BucketStart, long Count, DateTimeOffset ExpiresAt, string FlushId);

/// <summary>The store could not be reached or refused to serve; the breaker decides what to do without it.</summary>
public class CircuitStoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The store refused a request for want of throughput (DynamoDB's <c>ProvisionedThroughputExceededException</c>,
/// <c>ThrottlingException</c> or <c>RequestLimitExceeded</c>): it is there, but the item is hot.
/// </summary>
public sealed class CircuitStoreThrottledException(string message, Exception? inner = null) : CircuitStoreUnavailableException(message, inner);
