using System.Collections.Concurrent;

namespace CircuitBreaker.Local.DynamoDb;

/// <summary>
/// Counts the DynamoDB API calls that actually went over the wire, by operation (the <c>X-Amz-Target</c> header), the
/// SDK's retries included, and among them those refused for throughput. Counting at the HTTP level needs no change to
/// the code measured.
/// </summary>
internal sealed class DynamoDbRequestCounter
{
    private readonly ConcurrentDictionary<string, int> _byOperation = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _throttledByOperation = new(StringComparer.Ordinal);

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

    /// <summary>Read requests, throttled ones included.</summary>
    public int Reads => Sum(_byOperation, ReadOperations);

    /// <summary>Write requests, throttled ones included.</summary>
    public int Writes => Sum(_byOperation, WriteOperations);

    /// <summary>Read requests answered with ProvisionedThroughputExceededException.</summary>
    public int ThrottledReads => Sum(_throttledByOperation, ReadOperations);

    /// <summary>Write requests answered with ProvisionedThroughputExceededException.</summary>
    public int ThrottledWrites => Sum(_throttledByOperation, WriteOperations);

    /// <summary>Counts one request of <paramref name="operation"/>.</summary>
    public void Count(string operation) => _byOperation.AddOrUpdate(operation, 1, (_, n) => n + 1);

    /// <summary>Counts one request of <paramref name="operation"/> refused for throughput (it was counted by <see cref="Count"/> too).</summary>
    public void CountThrottled(string operation) => _throttledByOperation.AddOrUpdate(operation, 1, (_, n) => n + 1);

    /// <summary>Requests by operation so far.</summary>
    public IReadOnlyDictionary<string, int> Snapshot() => new Dictionary<string, int>(_byOperation, StringComparer.Ordinal);

    /// <summary>Throttled requests by operation so far.</summary>
    public IReadOnlyDictionary<string, int> ThrottledSnapshot() => new Dictionary<string, int>(_throttledByOperation, StringComparer.Ordinal);

    /// <summary>Forgets every count.</summary>
    public void Reset()
    {
        _byOperation.Clear();
        _throttledByOperation.Clear();
    }

    private static int Sum(ConcurrentDictionary<string, int> counts, IReadOnlySet<string> operations) =>
        counts.Where(kv => operations.Contains(kv.Key)).Sum(kv => kv.Value);
}
