namespace CircuitBreaker.Aws.DynamoDb;

/// <summary>
/// A request stored by <c>whenOpen: defer</c> while its circuit was open, as it would have been relayed: the method, the
/// path and query under the downstream's origin, the headers after the route's header policy and the body byte for byte.
/// </summary>
/// <param name="ServiceId">The circuit (and the route) it belongs to.</param>
/// <param name="Id">The deferred id the client was given, and the replay's <c>Idempotency-Key</c> when the client sent none.</param>
/// <param name="ArrivedAt">When the webservice stored it: replays follow this order.</param>
/// <param name="Method">The HTTP method.</param>
/// <param name="PathAndQuery">The path and query as relayed, below the downstream URL's origin (<c>/base/orders?x=1</c>).</param>
/// <param name="Headers">The headers as relayed, in order.</param>
/// <param name="Body">The body, or null for none.</param>
/// <param name="ExpiresAt">When DynamoDB's time to live may delete it.</param>
public sealed record DeferredRequest(
    string ServiceId,
    string Id,
    DateTimeOffset ArrivedAt,
    string Method,
    string PathAndQuery,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    ReadOnlyMemory<byte>? Body,
    DateTimeOffset ExpiresAt)
{
    /// <summary>The item's sort key, which orders it by arrival.</summary>
    public string SortKey => CircuitItemKeys.Deferred(ArrivedAt, Id);

    /// <summary>Failed replays so far.</summary>
    public int Attempts { get; init; }

    /// <summary>Why the last replay failed, if one did.</summary>
    public string? LastError { get; init; }

    /// <summary>Until when a replayer holds it (another leaves it alone until then); null when nobody does.</summary>
    public DateTimeOffset? ClaimedUntil { get; init; }

    /// <summary>
    /// The bytes the item takes as DynamoDB counts them (names and values of every attribute), close enough to keep it
    /// under the 400 KB item limit (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html).
    /// </summary>
    public int ApproximateItemBytes =>
        200 + ServiceId.Length + (SortKey.Length * 2) + Method.Length + PathAndQuery.Length
        + Headers.Sum(header => header.Key.Length + header.Value.Length + 8) + (Body?.Length ?? 0);
}
