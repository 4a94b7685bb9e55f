namespace CircuitBreaker.Local.DynamoDb;

/// <summary>A table's key attributes and those of its global secondary indexes, as DescribeTable gives them.</summary>
/// <param name="PartitionKey">The table's partition (HASH) key attribute.</param>
/// <param name="SortKey">The table's sort (RANGE) key attribute, if any.</param>
/// <param name="IndexPartitionKeys">Each global secondary index's partition key attribute, by index name.</param>
internal sealed record TableKeySchema(string PartitionKey, string? SortKey, IReadOnlyDictionary<string, string> IndexPartitionKeys);
