using System.Globalization;
using Amazon.DynamoDBv2.Model;
using CircuitBreaker.Contract;

namespace CircuitBreaker.Aws.DynamoDb;

/// <summary>How the store writes and reads the values of its items: keys, numbers, and times as epoch milliseconds.</summary>
internal static class ItemValues
{
    /// <summary>The primary key of one item of the circuit table.</summary>
    public static Dictionary<string, AttributeValue> Key(string serviceId, string sortKey) => new()
    {
        [CircuitTable.PartitionKey] = new AttributeValue { S = serviceId },
        [CircuitTable.SortKey] = new AttributeValue { S = sortKey },
    };

    /// <summary>A number attribute.</summary>
    public static AttributeValue Number(long value) => new() { N = value.ToString(CultureInfo.InvariantCulture) };

    /// <summary>A time attribute, in epoch milliseconds.</summary>
    public static AttributeValue Time(DateTimeOffset value) => Number(value.ToUnixTimeMilliseconds());

    /// <summary>The number attribute <paramref name="name"/>; null when absent or not an integer.</summary>
    public static long? ReadLong(Dictionary<string, AttributeValue> item, string name) =>
        item.TryGetValue(name, out var value) && long.TryParse(value.N, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number)
            ? number
            : null;

    /// <summary>The time attribute <paramref name="name"/> (epoch milliseconds); null when absent.</summary>
    public static DateTimeOffset? ReadTime(Dictionary<string, AttributeValue> item, string name) =>
        ReadLong(item, name) is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
}
