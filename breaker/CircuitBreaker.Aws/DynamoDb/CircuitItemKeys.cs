using System.Globalization;

namespace CircuitBreaker.Aws.DynamoDb;

/// <summary>
/// The sort keys of a circuit's items, in one place. Failure and success-counter keys embed a time as zero-padded
/// epoch milliseconds so that lexicographic order on the sort key is chronological order, and a time
/// window becomes a key range.
/// </summary>
internal static class CircuitItemKeys
{
    /// <summary>Sort key of the circuit's state item.</summary>
    public const string State = "state";

    /// <summary>Prefix shared by every failure item's sort key.</summary>
    public const string FailurePrefix = "failure#";

    /// <summary>Prefix shared by every success-counter item's sort key.</summary>
    public const string SuccessesPrefix = "successes#";

    /// <summary>
    /// Prefix shared by every stored answer's sort key (<c>whenOpen: stale</c>). It sorts outside the failure and
    /// success-counter ranges ("st" is below "su", above "f"), so their queries never read a stored answer.
    /// </summary>
    public const string StalePrefix = "stale#";

    /// <summary>Prefix shared by every deferred request's sort key (<c>whenOpen: defer</c>).</summary>
    public const string DeferredPrefix = "deferred#";

    // 15 digits hold epoch milliseconds until the year 33658; fixed width keeps string order = time order.
    private const string MillisecondsFormat = "D15";

    // '~' sorts after '#' and every digit: "failure#<ms>~" is above every failure key of that millisecond.
    private const string AfterEventIds = "~";

    private const string SuccessesUpperBound = SuccessesPrefix + "~";

    /// <summary>The sort key of one failure: <c>failure#&lt;ms, 15 digits&gt;#&lt;event id&gt;</c>.</summary>
    public static string Failure(DateTimeOffset failedAt, string eventId)
    {
        ArgumentException.ThrowIfNullOrEmpty(eventId);
        return FailureTimePrefix(failedAt) + "#" + eventId;
    }

    /// <summary>
    /// The inclusive sort-key range of failures at or after <paramref name="since"/> and at or before
    /// <paramref name="until"/> (to the millisecond). The recorder dates no failure after its own clock, so the upper
    /// bound only keeps out failures stored with a future date by an older recorder, which must not count.
    /// </summary>
    public static (string From, string To) FailuresBetween(DateTimeOffset since, DateTimeOffset until) =>
        (FailureTimePrefix(since), FailureTimePrefix(until) + AfterEventIds);

    /// <summary>The sort key of the success counter of the bucket starting at <paramref name="bucketStart"/>: <c>successes#&lt;ms, 15 digits&gt;</c>.</summary>
    public static string Successes(DateTimeOffset bucketStart) => SuccessesPrefix + Milliseconds(bucketStart);

    /// <summary>The inclusive sort-key range of the success counters whose bucket starts at or after <paramref name="since"/>.</summary>
    public static (string From, string To) SuccessesSince(DateTimeOffset since) => (Successes(since), SuccessesUpperBound);

    /// <summary>
    /// The sort key of one deferred request: <c>deferred#&lt;ms, 15 digits&gt;#&lt;id&gt;</c>, so that a query in key order
    /// returns the circuit's deferred requests in the order they arrived.
    /// </summary>
    public static string Deferred(DateTimeOffset arrivedAt, string id)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        return DeferredPrefix + Milliseconds(arrivedAt) + "#" + id;
    }

    /// <summary>The inclusive sort-key range of every deferred request of a circuit.</summary>
    public static (string From, string To) AllDeferred { get; } = (DeferredPrefix, DeferredPrefix + AfterEventIds);

    /// <summary>
    /// The sort key of the stored answer to <paramref name="requestKey"/>: <c>stale#</c> and the SHA-256 of the key in
    /// lower-case hex. The key itself can be longer than a sort key may be (1 KB) and holds the client's URL, so it is
    /// kept in the item and compared on every read: a hash collision can never serve another request's answer.
    /// </summary>
    public static string Stale(string requestKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(requestKey);
        return StalePrefix + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(requestKey)));
    }

    private static string FailureTimePrefix(DateTimeOffset at) => FailurePrefix + Milliseconds(at);

    private static string Milliseconds(DateTimeOffset at) =>
        Math.Max(0, at.ToUnixTimeMilliseconds()).ToString(MillisecondsFormat, CultureInfo.InvariantCulture);
}
