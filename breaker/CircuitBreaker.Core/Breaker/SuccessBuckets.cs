using CircuitBreaker.Contract;

namespace CircuitBreaker.Core.Breaker;

/// <summary>
/// The time buckets that success counters are kept in: one counter item per circuit and second, so that a window
/// is a key range of at most window-in-seconds small items, and instances flushing in the same second share one.
/// </summary>
internal static class SuccessBuckets
{
    /// <summary>The length of a bucket.</summary>
    public static readonly TimeSpan Size = TimeSpan.FromSeconds(1);

    /// <summary>The start of the bucket that holds <paramref name="at"/>.</summary>
    public static DateTimeOffset StartOf(DateTimeOffset at)
    {
        var ms = at.ToUnixTimeMilliseconds();
        var size = (long)Size.TotalMilliseconds;
        return DateTimeOffset.FromUnixTimeMilliseconds(ms - (((ms % size) + size) % size));
    }

    /// <summary>
    /// When TTL may delete the bucket starting at <paramref name="bucketStart"/>: after the last window it can
    /// count in, with the same slack as failures. Reads never rely on it.
    /// </summary>
    public static DateTimeOffset ExpiryOf(DateTimeOffset bucketStart, CircuitPolicy settings) =>
        bucketStart + Size + settings.Window + FailureRecorder.ExpirySlack;
}
