using System.Collections.Concurrent;

namespace CircuitBreaker.Bench;

/// <summary>
/// Counts the DynamoDB API calls that actually went over the wire, by operation (the <c>X-Amz-Target</c>
/// header), including the SDK's retries. Counting at the HTTP level needs no change to the code measured.
/// </summary>
internal sealed class DynamoDbRequestCounter
{
    private readonly ConcurrentDictionary<string, int> _byOperation = new(StringComparer.Ordinal);

    /// <summary>Operations that read (charged in read request units on demand).</summary>
    public static readonly IReadOnlySet<string> ReadOperations = new HashSet<string>(StringComparer.Ordinal)
    {
        "GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems",
    };

    /// <summary>Operations that write (charged in write request units on demand).</summary>
    public static readonly IReadOnlySet<string> WriteOperations = new HashSet<string>(StringComparer.Ordinal)
    {
        "PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems",
    };

    public void Count(string operation) => _byOperation.AddOrUpdate(operation, 1, (_, n) => n + 1);

    public IReadOnlyDictionary<string, int> Snapshot() => new Dictionary<string, int>(_byOperation, StringComparer.Ordinal);

    public int Reads => _byOperation.Where(kv => ReadOperations.Contains(kv.Key)).Sum(kv => kv.Value);

    public int Writes => _byOperation.Where(kv => WriteOperations.Contains(kv.Key)).Sum(kv => kv.Value);

    public void Reset() => _byOperation.Clear();
}
