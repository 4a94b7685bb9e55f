namespace CircuitBreaker.Local.DynamoDb;

/// <summary>What one request consumes, and from whose budget.</summary>
/// <param name="IsWrite">True for a write (write units), false for a read (read units).</param>
/// <param name="Key">The budget's key: the table (or index) and the item's full key, or the partition key value for a Query.</param>
/// <param name="Units">Capacity units the request costs.</param>
/// <param name="Table">The table.</param>
/// <param name="Index">The global secondary index a Query reads, if any.</param>
internal sealed record ItemAccess(bool IsWrite, string Key, double Units, string Table, string? Index = null);
