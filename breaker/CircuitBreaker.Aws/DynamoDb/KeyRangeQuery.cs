using Amazon.DynamoDBv2.Model;
using CircuitBreaker.Contract;

namespace CircuitBreaker.Aws.DynamoDb;

/// <summary>
/// A strongly consistent query of one circuit's items whose sort keys lie in a range: how failures and success
/// counters are read over a window (their sort keys order by time, see <see cref="CircuitItemKeys"/>).
/// </summary>
internal static class KeyRangeQuery
{
    /// <summary>The items of <paramref name="serviceId"/> with sort keys from <paramref name="from"/> to <paramref name="to"/>, both included.</summary>
    public static QueryRequest Of(string tableName, string serviceId, string from, string to) => new()
    {
        TableName = tableName,
        KeyConditionExpression = "#pk = :pk AND #sk BETWEEN :from AND :to",
        ExpressionAttributeNames = new Dictionary<string, string>
        {
            ["#pk"] = CircuitTable.PartitionKey,
            ["#sk"] = CircuitTable.SortKey,
        },
        ExpressionAttributeValues = new Dictionary<string, AttributeValue>
        {
            [":pk"] = new() { S = serviceId },
            [":from"] = new() { S = from },
            [":to"] = new() { S = to },
        },
        ConsistentRead = true,
    };
}
