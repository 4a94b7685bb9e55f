using System.Text;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Store;
using static CircuitBreaker.Aws.DynamoDb.ItemValues;

namespace CircuitBreaker.Aws.DynamoDb;

/// <summary>
/// <see cref="IStaleAnswerStore"/> on the circuit table: the answer's item sits under the circuit's service id with the
/// sort key <see cref="CircuitItemKeys.Stale"/> and DynamoDB's TTL at its <see cref="StoredAnswer.ExpiresAt"/>. Written
/// with UpdateItem (which creates the item), so the webservice needs no permission beyond its GetItem and UpdateItem.
/// </summary>
/// <param name="client">The DynamoDB client.</param>
/// <param name="tableName">The circuit table.</param>
public sealed class DynamoDbStaleAnswerStore(IAmazonDynamoDB client, string tableName) : IStaleAnswerStore
{
    /// <summary>
    /// The largest item written: DynamoDB's item limit, 400 KB counted as 1024 bytes each ("Items" in
    /// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Constraints.html).
    /// </summary>
    public const int MaxItemBytes = 400 * 1024;

    /// <summary>
    /// The largest body stored. With the headers and keys a relayed answer has, the item stays under
    /// <see cref="MaxItemBytes"/>; the item's whole size is checked as well, so an answer with huge headers is not sent.
    /// </summary>
    public const int MaxBodyBytes = 256 * 1024;

    private const string RequestKeyAttribute = "requestKey";
    private const string VariedAttribute = "varied";
    private const string StoredAtAttribute = "storedAt";
    private const string StatusAttribute = "status";
    private const string HeadersAttribute = "headers";
    private const string BodyAttribute = "body";

    // A number's size is about one byte per two digits plus one ("Item sizes" below): 21 covers any long.
    private const int NumberBytes = 21;

    /// <summary>
    /// The item's size as DynamoDB counts it: the UTF-8 bytes of each attribute's name and string value, a binary
    /// value's raw bytes, a number's digits (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html).
    /// </summary>
    public static int ItemSize(StoredAnswer answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var size = Utf8(CircuitTable.PartitionKey) + Utf8(answer.ServiceId)
            + Utf8(CircuitTable.SortKey) + Utf8(CircuitItemKeys.Stale(answer.RequestKey))
            + Utf8(RequestKeyAttribute) + Utf8(answer.RequestKey)
            + Utf8(VariedAttribute) + Utf8(answer.VariedHeaders)
            + Utf8(StoredAtAttribute) + NumberBytes
            + Utf8(CircuitTable.TimeToLiveAttribute) + NumberBytes
            + Utf8(StatusAttribute) + NumberBytes
            + Utf8(HeadersAttribute) + Utf8(HeaderLines(answer.Headers))
            + Utf8(BodyAttribute) + answer.Body.Length;
        return size;

        static int Utf8(string text) => Encoding.UTF8.GetByteCount(text);
    }

    /// <inheritdoc />
    public async Task<bool> StoreAsync(StoredAnswer answer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentException.ThrowIfNullOrEmpty(answer.ServiceId);
        if (answer.Body.Length > MaxBodyBytes || ItemSize(answer) > MaxItemBytes)
        {
            return false;
        }

        var set = new List<string>
        {
            "#requestKey = :requestKey", "#storedAt = :storedAt", "#expiresAt = :expiresAt", "#status = :status",
        };
        var remove = new List<string>();
        var names = new Dictionary<string, string>
        {
            ["#requestKey"] = RequestKeyAttribute,
            ["#storedAt"] = StoredAtAttribute,
            ["#expiresAt"] = CircuitTable.TimeToLiveAttribute,
            ["#status"] = StatusAttribute,
            ["#headers"] = HeadersAttribute,
            ["#varied"] = VariedAttribute,
            ["#body"] = BodyAttribute,
        };
        var values = new Dictionary<string, AttributeValue>
        {
            [":requestKey"] = new AttributeValue { S = answer.RequestKey },
            [":storedAt"] = Time(answer.StoredAt),
            [":expiresAt"] = Number(answer.ExpiresAt.ToUnixTimeSeconds()),
            [":status"] = Number(answer.StatusCode),
        };

        // Empty strings and binaries are left out rather than written: an earlier answer's are removed.
        var headerLines = HeaderLines(answer.Headers);
        if (headerLines.Length > 0)
        {
            set.Add("#headers = :headers");
            values[":headers"] = new AttributeValue { S = headerLines };
        }
        else
        {
            remove.Add("#headers");
        }

        if (answer.VariedHeaders.Length > 0)
        {
            set.Add("#varied = :varied");
            values[":varied"] = new AttributeValue { S = answer.VariedHeaders };
        }
        else
        {
            remove.Add("#varied");
        }

        if (answer.Body.Length > 0)
        {
            set.Add("#body = :body");
            values[":body"] = new AttributeValue { B = new MemoryStream(answer.Body.ToArray()) };
        }
        else
        {
            remove.Add("#body");
        }

        var request = new UpdateItemRequest
        {
            TableName = tableName,
            Key = Key(answer.ServiceId, CircuitItemKeys.Stale(answer.RequestKey)),
            UpdateExpression = "SET " + string.Join(", ", set) + (remove.Count > 0 ? " REMOVE " + string.Join(", ", remove) : string.Empty),

            // Instances store the same key at different times: an older answer never replaces a newer one.
            ConditionExpression = "attribute_not_exists(#storedAt) OR #storedAt < :storedAt",
            ExpressionAttributeNames = names,
            ExpressionAttributeValues = values,
        };

        return await StoreCalls.Conditional("UpdateItem", answer.ServiceId, () => client.UpdateItemAsync(request, cancellationToken), cancellationToken)
            .ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<StoredAnswer?> FindAsync(string serviceId, string requestKey, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceId);
        ArgumentException.ThrowIfNullOrEmpty(requestKey);
        var request = new GetItemRequest { TableName = tableName, Key = Key(serviceId, CircuitItemKeys.Stale(requestKey)) };
        var response = await StoreCalls.Call("GetItem", serviceId, () => client.GetItemAsync(request, cancellationToken), cancellationToken)
            .ConfigureAwait(false);
        var item = response.Item;
        if (item is not { Count: > 0 }
            || !item.TryGetValue(RequestKeyAttribute, out var storedKey)
            || !string.Equals(storedKey.S, requestKey, StringComparison.Ordinal)
            || ReadTime(item, StoredAtAttribute) is not { } storedAt
            || ReadLong(item, CircuitTable.TimeToLiveAttribute) is not { } expiresAt
            || ReadLong(item, StatusAttribute) is not { } status)
        {
            // Nothing stored, another key behind the same hash, or an item this version cannot read: no answer.
            return null;
        }

        var body = item.TryGetValue(BodyAttribute, out var bytes) && bytes.B is { } stream ? stream.ToArray() : [];
        return new StoredAnswer(
            serviceId,
            requestKey,
            item.TryGetValue(VariedAttribute, out var varied) ? varied.S ?? string.Empty : string.Empty,
            storedAt,
            DateTimeOffset.FromUnixTimeSeconds(expiresAt),
            (int)status,
            ParseHeaderLines(item.TryGetValue(HeadersAttribute, out var headers) ? headers.S ?? string.Empty : string.Empty),
            body);
    }

    /// <inheritdoc />
    public async Task<bool> InvalidateAsync(string serviceId, string requestKey, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceId);
        ArgumentException.ThrowIfNullOrEmpty(requestKey);

        // Without its key the item matches no request (FindAsync compares it); the TTL still deletes it. UpdateItem keeps
        // the webservice's grants as they are, and the condition keeps it from creating an item where there was none.
        var request = new UpdateItemRequest
        {
            TableName = tableName,
            Key = Key(serviceId, CircuitItemKeys.Stale(requestKey)),
            UpdateExpression = "REMOVE #requestKey, #body",
            ConditionExpression = "attribute_exists(#requestKey)",
            ExpressionAttributeNames = new Dictionary<string, string> { ["#requestKey"] = RequestKeyAttribute, ["#body"] = BodyAttribute },
        };
        return await StoreCalls.Conditional("UpdateItem", serviceId, () => client.UpdateItemAsync(request, cancellationToken), cancellationToken)
            .ConfigureAwait(false);
    }

    // "name: value" lines: names are tokens and values hold no CR or LF (the relay writes no other header), so a line
    // break cannot be part of either.
    private static string HeaderLines(IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        var lines = new StringBuilder();
        foreach (var (name, value) in headers)
        {
            lines.Append(name).Append(": ").Append(value).Append('\n');
        }

        return lines.ToString();
    }

    private static List<KeyValuePair<string, string>> ParseHeaderLines(string lines)
    {
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var line in lines.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = line.IndexOf(": ", StringComparison.Ordinal);
            if (colon > 0)
            {
                headers.Add(KeyValuePair.Create(line[..colon], line[(colon + 2)..]));
            }
        }

        return headers;
    }
}
