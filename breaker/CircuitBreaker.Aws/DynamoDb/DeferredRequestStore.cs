using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Store;

namespace CircuitBreaker.Aws.DynamoDb;

/// <summary>
/// The deferred requests of <c>whenOpen: defer</c> in the circuit table: one item per request under the circuit's
/// partition key, sorted by arrival (<see cref="CircuitItemKeys.Deferred"/>), with a time to live. A replayer claims an
/// item with a conditional write before it sends it, so that two replayers never send it at once, and deletes it only
/// once the downstream answered: a replayer that dies mid-replay leaves it for the next one when its claim runs out.
/// A store fault is <see cref="CircuitStoreUnavailableException"/>.
/// </summary>
public sealed class DeferredRequestStore
{
    private const string Id = "id";
    private const string Method = "method";
    private const string Target = "target";
    private const string Headers = "headers";
    private const string Body = "body";
    private const string ArrivedAt = "arrivedAt";
    private const string Attempts = "attempts";
    private const string LastError = "lastError";
    private const string ClaimedBy = "claimedBy";
    private const string ClaimedUntil = "claimedUntil";

    private readonly IAmazonDynamoDB _dynamoDb;
    private readonly string _tableName;

    /// <summary>A store over <paramref name="tableName"/>.</summary>
    public DeferredRequestStore(IAmazonDynamoDB dynamoDb, string tableName)
    {
        _dynamoDb = dynamoDb;
        _tableName = tableName;
    }

    /// <summary>Stores a new deferred request (never over another with the same key).</summary>
    public Task StoreAsync(DeferredRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var item = ItemValues.Key(request.ServiceId, request.SortKey);
        item[Id] = new AttributeValue { S = request.Id };
        item[Method] = new AttributeValue { S = request.Method };
        item[Target] = new AttributeValue { S = request.PathAndQuery };
        item[Headers] = new AttributeValue
        {
            L = request.Headers.Select(header => new AttributeValue { L = [new AttributeValue { S = header.Key }, new AttributeValue { S = header.Value }] }).ToList(),
        };
        if (request.Body is { Length: > 0 } body)
        {
            item[Body] = new AttributeValue { B = new MemoryStream(body.ToArray()) };
        }

        item[ArrivedAt] = ItemValues.Time(request.ArrivedAt);
        item[Attempts] = ItemValues.Number(0);
        item[CircuitTable.TimeToLiveAttribute] = ItemValues.Number(request.ExpiresAt.ToUnixTimeSeconds());
        return StoreCalls.Call(
            "PutItem",
            request.ServiceId,
            () => _dynamoDb.PutItemAsync(
                new PutItemRequest
                {
                    TableName = _tableName,
                    Item = item,
                    ConditionExpression = "attribute_not_exists(#sk)",
                    ExpressionAttributeNames = new Dictionary<string, string> { ["#sk"] = CircuitTable.SortKey },
                },
                cancellationToken),
            cancellationToken);
    }

    /// <summary>
    /// Up to <paramref name="limit"/> deferred requests of the circuit in arrival order, after <paramref name="afterSortKey"/>
    /// when given; read strongly consistent, so that an item just deleted or claimed is seen as it is.
    /// </summary>
    public async Task<IReadOnlyList<DeferredRequest>> ListAsync(string serviceId, int limit, string? afterSortKey, CancellationToken cancellationToken)
    {
        var (from, to) = CircuitItemKeys.AllDeferred;
        var request = new QueryRequest
        {
            TableName = _tableName,
            KeyConditionExpression = "#pk = :pk AND #sk BETWEEN :from AND :to",
            ExpressionAttributeNames = new Dictionary<string, string> { ["#pk"] = CircuitTable.PartitionKey, ["#sk"] = CircuitTable.SortKey },
            ExpressionAttributeValues = new Dictionary<string, AttributeValue>
            {
                [":pk"] = new() { S = serviceId },
                [":from"] = new() { S = from },
                [":to"] = new() { S = to },
            },
            ConsistentRead = true,
            Limit = limit,
        };
        if (afterSortKey is not null)
        {
            request.ExclusiveStartKey = ItemValues.Key(serviceId, afterSortKey);
        }

        var response = await StoreCalls.Call("Query", serviceId, () => _dynamoDb.QueryAsync(request, cancellationToken), cancellationToken).ConfigureAwait(false);
        return (response.Items ?? []).Select(item => Read(serviceId, item)).OfType<DeferredRequest>().ToList();
    }

    /// <summary>Every deferred request of the circuit, in arrival order (page by page).</summary>
    public async Task<IReadOnlyList<DeferredRequest>> ListAllAsync(string serviceId, CancellationToken cancellationToken)
    {
        var all = new List<DeferredRequest>();
        string? after = null;
        while (true)
        {
            var page = await ListAsync(serviceId, 100, after, cancellationToken).ConfigureAwait(false);
            all.AddRange(page);
            if (page.Count < 100)
            {
                return all;
            }

            after = page[^1].SortKey;
        }
    }

    /// <summary>
    /// Claims the item for <paramref name="owner"/> until <paramref name="until"/>: true when it exists and nobody holds it
    /// (or a holder's claim ran out before <paramref name="now"/>); false when another replayer has it or it is gone.
    /// </summary>
    public Task<bool> TryClaimAsync(
        DeferredRequest request, string owner, DateTimeOffset now, DateTimeOffset until, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return StoreCalls.Conditional(
            "UpdateItem",
            request.ServiceId,
            () => _dynamoDb.UpdateItemAsync(
                new UpdateItemRequest
                {
                    TableName = _tableName,
                    Key = ItemValues.Key(request.ServiceId, request.SortKey),
                    UpdateExpression = "SET #by = :owner, #until = :until",
                    ConditionExpression = "attribute_exists(#sk) AND (attribute_not_exists(#until) OR #until < :now)",
                    ExpressionAttributeNames = new Dictionary<string, string>
                    {
                        ["#sk"] = CircuitTable.SortKey, ["#by"] = ClaimedBy, ["#until"] = ClaimedUntil,
                    },
                    ExpressionAttributeValues = new Dictionary<string, AttributeValue>
                    {
                        [":owner"] = new() { S = owner },
                        [":until"] = ItemValues.Time(until),
                        [":now"] = ItemValues.Time(now),
                    },
                },
                cancellationToken),
            cancellationToken);
    }

    /// <summary>
    /// Records a failed replay by <paramref name="owner"/> and releases its claim; returns the attempts so far, or null
    /// when the item is gone or no longer the owner's.
    /// </summary>
    public async Task<int?> RecordFailureAsync(DeferredRequest request, string owner, string error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            var response = await StoreCalls.Call(
                "UpdateItem",
                request.ServiceId,
                () => _dynamoDb.UpdateItemAsync(
                    new UpdateItemRequest
                    {
                        TableName = _tableName,
                        Key = ItemValues.Key(request.ServiceId, request.SortKey),
                        UpdateExpression = "SET #attempts = #attempts + :one, #error = :error REMOVE #by, #until",
                        ConditionExpression = "#by = :owner",
                        ExpressionAttributeNames = new Dictionary<string, string>
                        {
                            ["#attempts"] = Attempts, ["#error"] = LastError, ["#by"] = ClaimedBy, ["#until"] = ClaimedUntil,
                        },
                        ExpressionAttributeValues = new Dictionary<string, AttributeValue>
                        {
                            [":one"] = ItemValues.Number(1),
                            [":error"] = new() { S = error.Length > 1000 ? error[..1000] : error },
                            [":owner"] = new() { S = owner },
                        },
                        ReturnValues = ReturnValue.UPDATED_NEW,
                    },
                    cancellationToken),
                cancellationToken).ConfigureAwait(false);
            return (int?)ItemValues.ReadLong(response.Attributes ?? [], Attempts);
        }
        catch (ConditionalCheckFailedException)
        {
            return null;
        }
    }

    /// <summary>Gives the item back without a failure (the replay stopped before sending it); false when it was not the owner's.</summary>
    public Task<bool> ReleaseAsync(DeferredRequest request, string owner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return StoreCalls.Conditional(
            "UpdateItem",
            request.ServiceId,
            () => _dynamoDb.UpdateItemAsync(
                new UpdateItemRequest
                {
                    TableName = _tableName,
                    Key = ItemValues.Key(request.ServiceId, request.SortKey),
                    UpdateExpression = "REMOVE #by, #until",
                    ConditionExpression = "#by = :owner",
                    ExpressionAttributeNames = new Dictionary<string, string> { ["#by"] = ClaimedBy, ["#until"] = ClaimedUntil },
                    ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":owner"] = new() { S = owner } },
                },
                cancellationToken),
            cancellationToken);
    }

    /// <summary>
    /// Deletes the item: when <paramref name="owner"/> is given, only while that replayer holds it (false otherwise); without
    /// one (an operator's drop), whoever holds it. False when it was already gone.
    /// </summary>
    public Task<bool> DeleteAsync(string serviceId, string sortKey, string? owner, CancellationToken cancellationToken)
    {
        var request = new DeleteItemRequest
        {
            TableName = _tableName,
            Key = ItemValues.Key(serviceId, sortKey),
            ConditionExpression = owner is null ? "attribute_exists(#sk)" : "#by = :owner",
            ExpressionAttributeNames = owner is null
                ? new Dictionary<string, string> { ["#sk"] = CircuitTable.SortKey }
                : new Dictionary<string, string> { ["#by"] = ClaimedBy },
        };
        if (owner is not null)
        {
            request.ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":owner"] = new() { S = owner } };
        }

        return StoreCalls.Conditional("DeleteItem", serviceId, () => _dynamoDb.DeleteItemAsync(request, cancellationToken), cancellationToken);
    }

    // An item the store cannot read (written by hand, cut short) is left out rather than replayed wrongly.
    private static DeferredRequest? Read(string serviceId, Dictionary<string, AttributeValue> item)
    {
        string? Text(string name) => item.TryGetValue(name, out var value) ? value.S : null;
        if (Text(Id) is not { Length: > 0 } id || Text(Method) is not { Length: > 0 } method || Text(Target) is not { } target
            || ItemValues.ReadTime(item, ArrivedAt) is not { } arrivedAt)
        {
            return null;
        }

        var headers = item.TryGetValue(Headers, out var list) && list.L is { } pairs
            ? pairs.Where(pair => pair.L is { Count: 2 })
                .Select(pair => new KeyValuePair<string, string>(pair.L[0].S ?? string.Empty, pair.L[1].S ?? string.Empty))
                .ToList()
            : [];
        ReadOnlyMemory<byte>? body = item.TryGetValue(Body, out var bytes) && bytes.B is { Length: > 0 } stream ? (ReadOnlyMemory<byte>?)stream.ToArray() : null;
        var expires = ItemValues.ReadLong(item, CircuitTable.TimeToLiveAttribute) is { } seconds ? DateTimeOffset.FromUnixTimeSeconds(seconds) : DateTimeOffset.MaxValue;
        return new DeferredRequest(serviceId, id, arrivedAt, method, target, headers, body, expires)
        {
            Attempts = (int)(ItemValues.ReadLong(item, Attempts) ?? 0),
            LastError = Text(LastError),
            ClaimedUntil = ItemValues.ReadTime(item, ClaimedUntil),
        };
    }

    /// <summary>A new deferred id: time-ordered, unguessable, and valid in a header and a sort key.</summary>
    public static string NewId(DateTimeOffset now) => Guid.CreateVersion7(now).ToString("N", CultureInfo.InvariantCulture);
}
