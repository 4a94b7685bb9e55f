using System.Collections.Concurrent;

namespace CircuitBreaker.Local.DynamoDb;

/// <summary>
/// DynamoDB's per-item ceiling (<see cref="ItemThroughputLimits"/>): one token bucket of read units and one of write units
/// per item (per partition key for a Query), each holding one second of units. Reads and writes are limited apart, as a
/// partition limits them (Developer Guide, "Key range throughput exceeded (hot partitions)"). One instance may be shared by
/// several proxies in front of one DynamoDB, so that every client of an item draws on the same budget.
/// </summary>
/// <remarks>
/// DynamoDB may also let a partition burst on capacity it left unused (up to 300 s of it); that is not modelled: the
/// ceiling here is the steady one.
/// </remarks>
internal sealed class ItemThroughput
{
    // Buckets of items not touched for a second are full again and forgotten, so that a run writing many distinct items
    // (a failure item per failure) does not keep a bucket for each.
    private const int PruneAbove = 10_000;

    private readonly ConcurrentDictionary<string, TokenBucket> _reads = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TokenBucket> _writes = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private long _refusedReads;
    private long _refusedWrites;

    /// <param name="limits">Units per second per item.</param>
    /// <param name="time">The buckets' clock.</param>
    public ItemThroughput(ItemThroughputLimits limits, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(time);
        Limits = limits;
        _time = time;
    }

    /// <summary>The limits.</summary>
    public ItemThroughputLimits Limits { get; }

    /// <summary>Reads refused so far.</summary>
    public long RefusedReads => Interlocked.Read(ref _refusedReads);

    /// <summary>Writes refused so far.</summary>
    public long RefusedWrites => Interlocked.Read(ref _refusedWrites);

    /// <summary>Takes the access's units from its item's budget; false (nothing taken) when the budget does not hold them.</summary>
    public bool TryConsume(ItemAccess access)
    {
        ArgumentNullException.ThrowIfNull(access);
        var (buckets, perSecond) = access.IsWrite ? (_writes, Limits.WriteUnitsPerSecond) : (_reads, Limits.ReadUnitsPerSecond);
        if (buckets.Count > PruneAbove)
        {
            Prune(buckets);
        }

        if (buckets.GetOrAdd(access.Key, _ => new TokenBucket(perSecond, _time)).TryTake(access.Units))
        {
            return true;
        }

        if (access.IsWrite)
        {
            Interlocked.Increment(ref _refusedWrites);
        }
        else
        {
            Interlocked.Increment(ref _refusedReads);
        }

        return false;
    }

    private static void Prune(ConcurrentDictionary<string, TokenBucket> buckets)
    {
        foreach (var (key, bucket) in buckets)
        {
            if (bucket.IsFull)
            {
                buckets.TryRemove(new KeyValuePair<string, TokenBucket>(key, bucket));
            }
        }
    }
}
