using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using CircuitBreaker.Contract;

namespace CircuitBreaker.Functions.Store;

/// <summary>
/// <see cref="ICircuitStore"/> on one DynamoDB table (<see cref="CircuitTable"/>): failure items and one state
/// item per circuit under the service id. Every transition is a single conditional UpdateItem, so concurrent
/// instances race on DynamoDB's condition check and exactly one wins.
/// </summary>
internal sealed class DynamoDbCircuitStore : ICircuitStore
{
    private const string StateClosed = "closed";
    private const string StateOpen = "open";
    private const string StateHalfOpen = "half-open";

    private const string StateAttribute = "state";
    private const string OpenUntilAttribute = "openUntil";
    private const string ProbeOwnerAttribute = "probeOwner";
    private const string ProbeLeaseUntilAttribute = "probeLeaseUntil";
    private const string ClosedAtAttribute = "closedAt";
    private const string VersionAttribute = "version";
    private const string ReasonAttribute = "reason";
    private const string FailedAtAttribute = "failedAt";

    private const string HeldByOwner = "#state = :halfopen AND #probeOwner = :owner";

    private readonly IAmazonDynamoDB client;
    private readonly string tableName;

    /// <summary>Uses <paramref name="client"/> against the table named <paramref name="tableName"/>.</summary>
    public DynamoDbCircuitStore(IAmazonDynamoDB client, string tableName)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(tableName);
        this.client = client;
        this.tableName = tableName;
    }

    /// <inheritdoc />
    public async Task<CircuitRecord> GetAsync(string serviceId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceId);
        var request = new GetItemRequest
        {
            TableName = tableName,
            Key = Key(serviceId, CircuitItemKeys.State),
            ConsistentRead = true,
        };

        var response = await Call("GetItem", serviceId, () => client.GetItemAsync(request, cancellationToken), cancellationToken)
            .ConfigureAwait(false);

        // In SDK v4 a missing item comes back as a null (or empty) Item, never as an exception.
        return response.Item is { Count: > 0 } item ? ReadRecord(serviceId, item) : CircuitRecord.InitiallyClosed(serviceId);
    }

    /// <inheritdoc />
    public async Task<bool> RecordFailureAsync(FailureRecord failure, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(failure);
        ArgumentException.ThrowIfNullOrEmpty(failure.ServiceId);
        ArgumentException.ThrowIfNullOrEmpty(failure.EventId);

        var item = Key(failure.ServiceId, CircuitItemKeys.Failure(failure.FailedAt, failure.EventId));
        item[CircuitTable.TimeToLiveAttribute] = Number(failure.ExpiresAt.ToUnixTimeSeconds());
        item[FailedAtAttribute] = Number(failure.FailedAt.ToUnixTimeMilliseconds());
        item[ReasonAttribute] = new AttributeValue { S = failure.Reason };

        var request = new PutItemRequest
        {
            TableName = tableName,
            Item = item,

            // The event id is in the sort key: a redelivered event finds its own item and is not stored again.
            ConditionExpression = "attribute_not_exists(#sk)",
            ExpressionAttributeNames = new Dictionary<string, string> { ["#sk"] = CircuitTable.SortKey },
        };

        return await Conditional("PutItem", failure.ServiceId, () => client.PutItemAsync(request, cancellationToken), cancellationToken)
            .ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<int> CountFailuresAsync(string serviceId, DateTimeOffset since, DateTimeOffset until, int limit, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceId);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);

        // The window is a key range, not a filter on expiresAt: TTL deletes expired items days late, if at all.
        var (from, to) = CircuitItemKeys.FailuresBetween(since, until);
        var request = new QueryRequest
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
            Select = Select.COUNT,
            Limit = limit,
            ConsistentRead = true,
        };

        var response = await Call("Query", serviceId, () => client.QueryAsync(request, cancellationToken), cancellationToken)
            .ConfigureAwait(false);
        return response.Count ?? 0;
    }

    /// <inheritdoc />
    public Task<bool> TryOpenAsync(string serviceId, long expectedVersion, DateTimeOffset openUntil, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(expectedVersion);
        var transition = new Transition(serviceId)
            .Set(StateAttribute, new AttributeValue { S = StateOpen })
            .Set(OpenUntilAttribute, Number(openUntil.ToUnixTimeMilliseconds()))
            .Set(VersionAttribute, Number(expectedVersion + 1))
            .Remove(ProbeOwnerAttribute)
            .Remove(ProbeLeaseUntilAttribute)
            .Value(":closed", new AttributeValue { S = StateClosed })
            .Value(":expected", Number(expectedVersion));

        // A missing item is closed at version 0, so only a caller that read version 0 may create it.
        var condition = "(#state = :closed AND #version = :expected)";
        if (expectedVersion == 0)
        {
            condition = "attribute_not_exists(#pk) OR " + condition;
            transition.Name("#pk", CircuitTable.PartitionKey);
        }

        return Update(transition, condition, cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> TryAcquireProbeAsync(
        string serviceId, string owner, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        var transition = new Transition(serviceId)
            .Set(StateAttribute, new AttributeValue { S = StateHalfOpen })
            .Set(ProbeOwnerAttribute, new AttributeValue { S = owner })
            .Set(ProbeLeaseUntilAttribute, Number(leaseUntil.ToUnixTimeMilliseconds()))
            .Increment(VersionAttribute)
            .Name("#openUntil", OpenUntilAttribute)
            .Value(":open", new AttributeValue { S = StateOpen })
            .Value(":halfopen", new AttributeValue { S = StateHalfOpen })
            .Value(":now", Number(now.ToUnixTimeMilliseconds()));

        const string condition = "(#state = :open AND #openUntil <= :now) OR (#state = :halfopen AND #probeLeaseUntil <= :now)";
        return Update(transition, condition, cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> TryCloseAsync(string serviceId, string owner, DateTimeOffset closedAt, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        var transition = new Transition(serviceId)
            .Set(StateAttribute, new AttributeValue { S = StateClosed })
            .Set(ClosedAtAttribute, Number(closedAt.ToUnixTimeMilliseconds()))
            .Increment(VersionAttribute)
            .Remove(OpenUntilAttribute)
            .Remove(ProbeOwnerAttribute)
            .Remove(ProbeLeaseUntilAttribute)
            .Value(":halfopen", new AttributeValue { S = StateHalfOpen })
            .Value(":owner", new AttributeValue { S = owner });

        return Update(transition, HeldByOwner, cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> TryReopenAsync(string serviceId, string owner, DateTimeOffset openUntil, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        var transition = new Transition(serviceId)
            .Set(StateAttribute, new AttributeValue { S = StateOpen })
            .Set(OpenUntilAttribute, Number(openUntil.ToUnixTimeMilliseconds()))
            .Increment(VersionAttribute)
            .Remove(ProbeOwnerAttribute)
            .Remove(ProbeLeaseUntilAttribute)
            .Value(":halfopen", new AttributeValue { S = StateHalfOpen })
            .Value(":owner", new AttributeValue { S = owner });

        return Update(transition, HeldByOwner, cancellationToken);
    }

    private Task<bool> Update(Transition transition, string condition, CancellationToken cancellationToken)
    {
        var request = transition.ToRequest(tableName, condition);
        return Conditional("UpdateItem", transition.ServiceId, () => client.UpdateItemAsync(request, cancellationToken), cancellationToken);
    }

    private static async Task<bool> Conditional<TResponse>(
        string operation, string serviceId, Func<Task<TResponse>> call, CancellationToken cancellationToken)
    {
        try
        {
            await Call(operation, serviceId, call, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            // Another caller moved the circuit (or stored the event) first: an answer, not a fault.
            return false;
        }
    }

    private static async Task<TResponse> Call<TResponse>(
        string operation, string serviceId, Func<Task<TResponse>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception e) when (IsStoreFault(e, cancellationToken))
        {
            throw new CircuitStoreUnavailableException(
                $"DynamoDB {operation} for circuit '{serviceId}' failed: {e.GetType().Name}: {e.Message}", e);
        }
    }

    // Everything but a failed condition and the caller's own cancellation means the store cannot serve:
    // refused connections, the SDK's timeouts (which surface as cancellations nobody asked for), throttling
    // after the SDK's retries, 5xx. The breaker decides what to do without the store.
    private static bool IsStoreFault(Exception e, CancellationToken cancellationToken) =>
        e is not ConditionalCheckFailedException
        && !(e is OperationCanceledException && cancellationToken.IsCancellationRequested);

    private static CircuitRecord ReadRecord(string serviceId, Dictionary<string, AttributeValue> item)
    {
        var rawState = item.TryGetValue(StateAttribute, out var state) ? state.S : null;
        var status = rawState switch
        {
            StateClosed => CircuitStatus.Closed,
            StateOpen => CircuitStatus.Open,
            StateHalfOpen => CircuitStatus.HalfOpen,
            _ => throw new CircuitStoreUnavailableException(
                $"The state item of circuit '{serviceId}' holds state '{rawState ?? "(none)"}': expected {StateClosed}, {StateOpen} or {StateHalfOpen}."),
        };

        return new CircuitRecord(
            serviceId,
            status,
            ReadTime(item, OpenUntilAttribute),
            item.TryGetValue(ProbeOwnerAttribute, out var owner) ? owner.S : null,
            ReadTime(item, ProbeLeaseUntilAttribute),
            ReadTime(item, ClosedAtAttribute),
            ReadLong(item, VersionAttribute) ?? 0);
    }

    private static DateTimeOffset? ReadTime(Dictionary<string, AttributeValue> item, string name) =>
        ReadLong(item, name) is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;

    private static long? ReadLong(Dictionary<string, AttributeValue> item, string name) =>
        item.TryGetValue(name, out var value) && long.TryParse(value.N, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number)
            ? number
            : null;

    private static Dictionary<string, AttributeValue> Key(string serviceId, string sortKey) => new()
    {
        [CircuitTable.PartitionKey] = new AttributeValue { S = serviceId },
        [CircuitTable.SortKey] = new AttributeValue { S = sortKey },
    };

    private static AttributeValue Number(long value) => new() { N = value.ToString(CultureInfo.InvariantCulture) };

    /// <summary>
    /// Collects one conditional UpdateItem on a state item: its SET and REMOVE clauses, names and values.
    /// DynamoDB rejects placeholders that no expression uses, so each transition declares exactly the ones
    /// its condition adds to those its clauses bring.
    /// </summary>
    private sealed class Transition(string serviceId)
    {
        private readonly List<string> sets = [];
        private readonly List<string> removes = [];
        private readonly Dictionary<string, string> names = [];
        private readonly Dictionary<string, AttributeValue> values = [];

        public string ServiceId { get; } = serviceId;

        public Transition Set(string attribute, AttributeValue value)
        {
            sets.Add($"#{attribute} = :{attribute}");
            names[$"#{attribute}"] = attribute;
            values[$":{attribute}"] = value;
            return this;
        }

        public Transition Increment(string attribute)
        {
            sets.Add($"#{attribute} = #{attribute} + :one");
            names[$"#{attribute}"] = attribute;
            values[":one"] = Number(1);
            return this;
        }

        public Transition Remove(string attribute)
        {
            removes.Add($"#{attribute}");
            names[$"#{attribute}"] = attribute;
            return this;
        }

        public Transition Name(string placeholder, string attribute)
        {
            names[placeholder] = attribute;
            return this;
        }

        public Transition Value(string placeholder, AttributeValue value)
        {
            values[placeholder] = value;
            return this;
        }

        public UpdateItemRequest ToRequest(string tableName, string condition)
        {
            var update = "SET " + string.Join(", ", sets);
            if (removes.Count > 0)
            {
                update += " REMOVE " + string.Join(", ", removes);
            }

            return new UpdateItemRequest
            {
                TableName = tableName,
                Key = Key(ServiceId, CircuitItemKeys.State),
                UpdateExpression = update,
                ConditionExpression = condition,
                ExpressionAttributeNames = names,
                ExpressionAttributeValues = values,
            };
        }
    }
}
