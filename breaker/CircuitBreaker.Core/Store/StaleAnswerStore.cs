namespace CircuitBreaker.Core.Store;

/// <summary>A successful answer kept to be served while the circuit is open (<c>whenOpen: stale</c>).</summary>
/// <param name="ServiceId">The circuit (the item's partition).</param>
/// <param name="RequestKey">The primary cache key: the method and the URL the downstream was asked for.</param>
/// <param name="VariedHeaders">
/// The secondary key: the request's values of the headers the answer's <c>Vary</c> names, one <c>name: value</c> line
/// each in name order; empty when the answer varies on nothing.
/// </param>
/// <param name="StoredAt">When it was stored, by the storing instance's clock.</param>
/// <param name="ExpiresAt">When it may no longer be served (and when DynamoDB's TTL may delete it).</param>
/// <param name="StatusCode">The downstream's status.</param>
/// <param name="Headers">The relayed response headers, names in lower case.</param>
/// <param name="Body">The response body.</param>
public sealed record StoredAnswer(
    string ServiceId,
    string RequestKey,
    string VariedHeaders,
    DateTimeOffset StoredAt,
    DateTimeOffset ExpiresAt,
    int StatusCode,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    ReadOnlyMemory<byte> Body);

/// <summary>Where the stale mode keeps its answers: one item per request key (on AWS, <c>DynamoDbStaleAnswerStore</c> in CircuitBreaker.Aws).</summary>
public interface IStaleAnswerStore
{
    /// <summary>
    /// Stores <paramref name="answer"/> over the key's earlier one, unless that one is newer (another instance stored
    /// later): true when written. False too when the item would exceed DynamoDB's item size (nothing is sent then).
    /// </summary>
    Task<bool> StoreAsync(StoredAnswer answer, CancellationToken cancellationToken);

    /// <summary>The answer stored for exactly <paramref name="requestKey"/>, whatever its age; null when there is none.</summary>
    Task<StoredAnswer?> FindAsync(string serviceId, string requestKey, CancellationToken cancellationToken);

    /// <summary>Makes the answer stored for <paramref name="requestKey"/> unusable, if there is one: true when there was.</summary>
    Task<bool> InvalidateAsync(string serviceId, string requestKey, CancellationToken cancellationToken);
}
