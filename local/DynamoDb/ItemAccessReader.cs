using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace CircuitBreaker.Local.DynamoDb;

/// <summary>
/// Reads from a DynamoDB JSON 1.0 request which item (or partition) it touches and what it costs, as the Developer Guide
/// prices it ("Read/write capacity mode"): a strongly consistent read of up to 4 KB is one read unit, an eventually
/// consistent one half; a write of up to 1 KB is one write unit.
/// </summary>
/// <remarks>
/// Simplifications, each on the side of letting through rather than refusing: every read is priced as an item of at most
/// 4 KB and every write as one of at most 1 KB (the circuit's items are a few hundred bytes); a Query costs one read of
/// its partition whatever it returns, and its budget is its partition key's, apart from the budgets of the partition's
/// single items (DynamoDB may hold several items of one partition key in one partition, sharing its limit); Scan, the
/// batch and transaction operations and Query's legacy <c>KeyConditions</c> with no equality are not limited.
/// </remarks>
internal static partial class ItemAccessReader
{
    /// <summary>Whether pricing <paramref name="operation"/> needs the table's key schema (an item's key among its attributes,
    /// a Query's partition key among its conditions).</summary>
    public static bool NeedsKeySchema(string operation) => operation is "PutItem" or "Query";

    /// <summary>The request's TableName, if it has one.</summary>
    public static string? TableName(JsonElement request) =>
        request.ValueKind == JsonValueKind.Object && request.TryGetProperty("TableName", out var table) && table.ValueKind == JsonValueKind.String
            ? table.GetString()
            : null;

    /// <summary>What the request consumes; null when it is not one the limits apply to, or does not say enough.</summary>
    /// <param name="operation">The operation, from <c>X-Amz-Target</c> (e.g. <c>GetItem</c>).</param>
    /// <param name="request">The request body.</param>
    /// <param name="schema">The table's key schema, needed when <see cref="NeedsKeySchema"/> says so.</param>
    public static ItemAccess? Read(string operation, JsonElement request, TableKeySchema? schema)
    {
        if (TableName(request) is not { Length: > 0 } table)
        {
            return null;
        }

        switch (operation)
        {
            case "GetItem":
                return Item(request, "Key", table, null, isWrite: false, ReadUnits(request));
            case "UpdateItem":
            case "DeleteItem":
                return Item(request, "Key", table, null, isWrite: true, 1);
            case "PutItem":
                return schema is null ? null : Item(request, "Item", table, schema, isWrite: true, 1);
            case "Query":
                return schema is null ? null : Query(request, table, schema);
            default:
                return null;
        }
    }

    private static double ReadUnits(JsonElement request) =>
        request.TryGetProperty("ConsistentRead", out var consistent) && consistent.ValueKind == JsonValueKind.True ? 1 : 0.5;

    // The item's key: its key attributes, by name, in a fixed order (Key holds exactly those; Item holds them among others).
    private static ItemAccess? Item(JsonElement request, string property, string table, TableKeySchema? schema, bool isWrite, double units)
    {
        if (!request.TryGetProperty(property, out var attributes) || attributes.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var names = schema is null
            ? attributes.EnumerateObject().Select(attribute => attribute.Name).ToList()
            : new[] { schema.PartitionKey, schema.SortKey }.OfType<string>().ToList();
        names.Sort(StringComparer.Ordinal);
        var key = new StringBuilder("item\n").Append(table);
        foreach (var name in names)
        {
            if (!attributes.TryGetProperty(name, out var value))
            {
                return null;
            }

            key.Append('\n').Append(name).Append('=').Append(Canonical(value));
        }

        return new ItemAccess(isWrite, key.ToString(), units, table);
    }

    // A Query reads one partition: the one its key condition names with an equality on the partition key.
    private static ItemAccess? Query(JsonElement request, string table, TableKeySchema schema)
    {
        string? index = null;
        var partitionKey = schema.PartitionKey;
        if (request.TryGetProperty("IndexName", out var indexName) && indexName.ValueKind == JsonValueKind.String)
        {
            index = indexName.GetString()!;
            if (!schema.IndexPartitionKeys.TryGetValue(index, out var indexKey))
            {
                // A local secondary index shares the table's partition key.
                indexKey = schema.PartitionKey;
            }

            partitionKey = indexKey;
        }

        if (PartitionValue(request, partitionKey) is not { } value)
        {
            return null;
        }

        return new ItemAccess(false, $"partition\n{table}\n{index}\n{partitionKey}={Canonical(value)}", ReadUnits(request), table, index);
    }

    private static JsonElement? PartitionValue(JsonElement request, string partitionKey)
    {
        if (request.TryGetProperty("KeyConditionExpression", out var expression) && expression.ValueKind == JsonValueKind.String)
        {
            request.TryGetProperty("ExpressionAttributeNames", out var names);
            request.TryGetProperty("ExpressionAttributeValues", out var values);
            foreach (Match equality in Equality().Matches(expression.GetString()!))
            {
                var (left, right) = (equality.Groups["left"].Value, equality.Groups["right"].Value);
                var (name, placeholder) = left.StartsWith(':') ? (right, left) : (left, right);
                if (!placeholder.StartsWith(':') || name.StartsWith(':'))
                {
                    continue;
                }

                var attribute = name.StartsWith('#')
                    ? names.ValueKind == JsonValueKind.Object && names.TryGetProperty(name, out var real) ? real.GetString() : null
                    : name;
                if (attribute == partitionKey && values.ValueKind == JsonValueKind.Object && values.TryGetProperty(placeholder, out var value))
                {
                    return value;
                }
            }

            return null;
        }

        // The legacy form: KeyConditions { "pk": { "ComparisonOperator": "EQ", "AttributeValueList": [ value ] } }.
        if (request.TryGetProperty("KeyConditions", out var conditions) && conditions.ValueKind == JsonValueKind.Object
            && conditions.TryGetProperty(partitionKey, out var condition) && condition.ValueKind == JsonValueKind.Object
            && condition.TryGetProperty("ComparisonOperator", out var comparison) && comparison.ValueEquals("EQ")
            && condition.TryGetProperty("AttributeValueList", out var list) && list.ValueKind == JsonValueKind.Array && list.GetArrayLength() == 1)
        {
            return list[0];
        }

        return null;
    }

    // One form per value, whatever the client's spacing or member order: the same item always meets the same budget.
    private static string Canonical(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                var members = value.EnumerateObject().OrderBy(member => member.Name, StringComparer.Ordinal)
                    .Select(member => JsonSerializer.Serialize(member.Name) + ":" + Canonical(member.Value));
                return "{" + string.Join(',', members) + "}";
            case JsonValueKind.Array:
                return "[" + string.Join(',', value.EnumerateArray().Select(Canonical)) + "]";
            default:
                return value.GetRawText();
        }
    }

    // "name = :value" or ":value = name", names plain or #placeholders; the key condition's other comparisons never use '='
    // alone (<=, >= are excluded by the lookarounds).
    [GeneratedRegex(@"(?<left>[#:]?[A-Za-z0-9_.\-]+)\s*(?<![<>])=(?!=)\s*(?<right>[#:]?[A-Za-z0-9_.\-]+)")]
    private static partial Regex Equality();
}
