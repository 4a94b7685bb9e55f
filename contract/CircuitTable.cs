namespace CircuitBreaker.Contract;

/// <summary>
/// The DynamoDB table's key schema and time-to-live attribute: the stack declares the table with
/// these, the functions read and write items by them.
/// </summary>
public static class CircuitTable
{
    /// <summary>Partition key (string): the circuit's service id.</summary>
    public const string PartitionKey = "pk";

    /// <summary>Sort key (string): <c>state</c>, or <c>failure#&lt;ms&gt;#&lt;event id&gt;</c>.</summary>
    public const string SortKey = "sk";

    /// <summary>DynamoDB's attribute type for both keys.</summary>
    public const string KeyAttributeType = "S";

    /// <summary>Number attribute, epoch seconds, after which DynamoDB's TTL sweeper may delete an item.</summary>
    public const string TimeToLiveAttribute = "expiresAt";
}
