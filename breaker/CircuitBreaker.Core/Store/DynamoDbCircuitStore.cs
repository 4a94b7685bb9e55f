using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using CircuitBreaker.Contract;

namespace CircuitBreaker.Core.Store;

/// <summary>
/// <see cref="ICircuitStore"/> on one DynamoDB table (<see cref="CircuitTable"/>): failure items, success-counter items
/// and one state item per circuit under the service id. Every transition is a single conditional UpdateItem, so concurrent
/// instances race on DynamoDB's condition check and exactly one wins. The items and each transition's condition are
/// tabled in docs/design.md ("State machine", "The table").
/// </summary>
internal sealed class DynamoDbCircuitStore : ICircuitStore
{
    private const string StateClosed = "closed";
    private const string StateOpen = "open";
    private const string StateHalfOpen = "half-open";
    private const string StateIsolated = "isolated";

    private const string StateAttribute = "state";
    private const string OpenUntilAttribute = "openUntil";
    private const string ProbeOwnerAttribute = "probeOwner";
    private const string ProbeLeaseUntilAttribute = "probeLeaseUntil";
    private const string ClosedAtAttribute = "closedAt";
    private const string VersionAttribute = "version";
    private const string ChangedAtAttribute = "changedAt";
    private const string ReasonAttribute = "reason";
    private const string FailedAtAttribute = "failedAt";
    private const string FailedProbesAttribute = "failedProbes";
    private const string CountAttribute = "count";

    private const string HeldByOwner = "#state = :halfopen AND #probeOwner = :owner";

    private readonly IAmazonDynamoDB client;
    private readonly string tableName;
    private readonly TimeProvider time;

    /// <summary>Uses <paramref name="client"/> against the table named <paramref name="tableName"/>.</summary>
    /// <param name="client">The DynamoDB client.</param>
    /// <param name="tableName">The circuit table.</param>
    /// <param name="time">Stamps each transition's <see cref="CircuitRecord.ChangedAt"/>; the system clock when null.</param>
    public DynamoDbCircuitStore(IAmazonDynamoDB client, string tableName, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(tableName);
        this.client = client;
        this.tableName = tableName;
        this.time = time ?? TimeProvider.System;
    }

    /// <summary>The table this store reads and writes.</summary>
    public string TableName => tableName;

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

        // A page stops at 1 MB read; a large limit (ratio mode) may need more than one.
        var count = 0;
        do
        {
            var response = await Call("Query", serviceId, () => client.QueryAsync(request, cancellationToken), cancellationToken)
                .ConfigureAwait(false);
            count += response.Count ?? 0;
            request.ExclusiveStartKey = response.LastEvaluatedKey;
            request.Limit = limit - count;
        }
        while (count < limit && request.ExclusiveStartKey is { Count: > 0 });

        return count;
    }

    /// <inheritdoc />
    public async Task AddSuccessesAsync(SuccessCount successes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(successes);
        ArgumentException.ThrowIfNullOrEmpty(successes.ServiceId);
        ArgumentOutOfRangeException.ThrowIfLessThan(successes.Count, 1);
        var request = new UpdateItemRequest
        {
            TableName = tableName,
            Key = Key(successes.ServiceId, CircuitItemKeys.Successes(successes.BucketStart)),

            // ADD is atomic and creates the item: instances adding to the same bucket never lose each other's counts.
            UpdateExpression = "ADD #count :count SET #expiresAt = :expiresAt",
            ExpressionAttributeNames = new Dictionary<string, string>
            {
                ["#count"] = CountAttribute,
                ["#expiresAt"] = CircuitTable.TimeToLiveAttribute,
            },
            ExpressionAttributeValues = new Dictionary<string, AttributeValue>
            {
                [":count"] = Number(successes.Count),
                [":expiresAt"] = Number(successes.ExpiresAt.ToUnixTimeSeconds()),
            },
        };

        await Call("UpdateItem", successes.ServiceId, () => client.UpdateItemAsync(request, cancellationToken), cancellationToken)
            .ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<long> SumSuccessesAsync(string serviceId, DateTimeOffset since, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceId);

        // As for failures, the window is a key range: an expired counter that TTL has not deleted yet is outside it.
        var (from, to) = CircuitItemKeys.SuccessesSince(since);
        var request = new QueryRequest
        {
            TableName = tableName,
            KeyConditionExpression = "#pk = :pk AND #sk BETWEEN :from AND :to",
            ProjectionExpression = "#count",
            ExpressionAttributeNames = new Dictionary<string, string>
            {
                ["#pk"] = CircuitTable.PartitionKey,
                ["#sk"] = CircuitTable.SortKey,
                ["#count"] = CountAttribute,
            },
            ExpressionAttributeValues = new Dictionary<string, AttributeValue>
            {
                [":pk"] = new() { S = serviceId },
                [":from"] = new() { S = from },
                [":to"] = new() { S = to },
            },
            ConsistentRead = true,
        };

        long sum = 0;
        do
        {
            var response = await Call("Query", serviceId, () => client.QueryAsync(request, cancellationToken), cancellationToken)
                .ConfigureAwait(false);
            foreach (var item in response.Items ?? [])
            {
                sum += ReadLong(item, CountAttribute) ?? 0;
            }

            request.ExclusiveStartKey = response.LastEvaluatedKey;
        }
        while (request.ExclusiveStartKey is { Count: > 0 });

        return sum;
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
            .Remove(FailedProbesAttribute)
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
            .Remove(FailedProbesAttribute)
            .Value(":halfopen", new AttributeValue { S = StateHalfOpen })
            .Value(":owner", new AttributeValue { S = owner });

        return Update(transition, HeldByOwner, cancellationToken);
    }

    /// <inheritdoc />
    public Task<bool> TryReopenAsync(string serviceId, string owner, DateTimeOffset openUntil, int failedProbes, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        ArgumentOutOfRangeException.ThrowIfNegative(failedProbes);
        var transition = new Transition(serviceId)
            .Set(StateAttribute, new AttributeValue { S = StateOpen })
            .Set(OpenUntilAttribute, Number(openUntil.ToUnixTimeMilliseconds()))
            .Set(FailedProbesAttribute, Number(failedProbes))
            .Increment(VersionAttribute)
            .Remove(ProbeOwnerAttribute)
            .Remove(ProbeLeaseUntilAttribute)
            .Value(":halfopen", new AttributeValue { S = StateHalfOpen })
            .Value(":owner", new AttributeValue { S = owner });

        return Update(transition, HeldByOwner, cancellationToken);
    }

    /// <summary>
    /// Operator's isolate: any state → isolated, held until <see cref="ForceCloseAsync"/>. No probe or failure
    /// changes an isolated circuit, because every other transition's condition names the state it starts from.
    /// </summary>
    /// <returns>The state before; null when the circuit was already isolated (nothing written).</returns>
    public async Task<CircuitRecord?> IsolateAsync(string serviceId, CancellationToken cancellationToken)
    {
        var transition = new Transition(serviceId)
            .Set(StateAttribute, new AttributeValue { S = StateIsolated })
            .IncrementFromZero(VersionAttribute)
            .Remove(OpenUntilAttribute)
            .Remove(ProbeOwnerAttribute)
            .Remove(ProbeLeaseUntilAttribute)
            .Remove(FailedProbesAttribute)
            .Value(":isolated", new AttributeValue { S = StateIsolated });
        return await OverrideAsync(transition, "attribute_not_exists(#state) OR #state <> :isolated", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Operator's close: any state → closed at <paramref name="closedAt"/>, so failures before it stop counting
    /// (also when it was closed already: a reset).
    /// </summary>
    /// <returns>The state before.</returns>
    public async Task<CircuitRecord> ForceCloseAsync(string serviceId, DateTimeOffset closedAt, CancellationToken cancellationToken)
    {
        var transition = new Transition(serviceId)
            .Set(StateAttribute, new AttributeValue { S = StateClosed })
            .Set(ClosedAtAttribute, Number(closedAt.ToUnixTimeMilliseconds()))
            .IncrementFromZero(VersionAttribute)
            .Remove(OpenUntilAttribute)
            .Remove(ProbeOwnerAttribute)
            .Remove(ProbeLeaseUntilAttribute)
            .Remove(FailedProbesAttribute);
        return await OverrideAsync(transition, condition: null, cancellationToken).ConfigureAwait(false)
            ?? CircuitRecord.InitiallyClosed(serviceId);
    }

    /// <summary>The service ids that have a state item or failures in the table (a full scan: for operators, not for requests).</summary>
    public async Task<IReadOnlyList<string>> ListServicesAsync(CancellationToken cancellationToken)
    {
        var services = new SortedSet<string>(StringComparer.Ordinal);
        Dictionary<string, AttributeValue>? startKey = null;
        do
        {
            var request = new ScanRequest
            {
                TableName = tableName,
                ProjectionExpression = "#pk",
                ExpressionAttributeNames = new Dictionary<string, string> { ["#pk"] = CircuitTable.PartitionKey },
                ExclusiveStartKey = startKey,
            };
            var response = await Call("Scan", "(all)", () => client.ScanAsync(request, cancellationToken), cancellationToken).ConfigureAwait(false);
            foreach (var item in response.Items ?? [])
            {
                if (item.TryGetValue(CircuitTable.PartitionKey, out var key) && key.S is { } serviceId)
                {
                    services.Add(serviceId);
                }
            }

            startKey = response.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        }
        while (startKey is not null);

        return [.. services];
    }

    private async Task<CircuitRecord?> OverrideAsync(Transition transition, string? condition, CancellationToken cancellationToken)
    {
        transition.Set(ChangedAtAttribute, Number(time.GetUtcNow().ToUnixTimeMilliseconds()));
        var request = transition.ToRequest(tableName, condition);
        request.ReturnValues = ReturnValue.ALL_OLD;
        try
        {
            var response = await Call("UpdateItem", transition.ServiceId, () => client.UpdateItemAsync(request, cancellationToken), cancellationToken)
                .ConfigureAwait(false);
            return response.Attributes is { Count: > 0 } old ? ReadRecord(transition.ServiceId, old) : CircuitRecord.InitiallyClosed(transition.ServiceId);
        }
        catch (ConditionalCheckFailedException)
        {
            return null;
        }
    }

    private Task<bool> Update(Transition transition, string condition, CancellationToken cancellationToken)
    {
        transition.Set(ChangedAtAttribute, Number(time.GetUtcNow().ToUnixTimeMilliseconds()));
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
            StateIsolated => CircuitStatus.Isolated,
            _ => throw new CircuitStoreUnavailableException(
                $"The state item of circuit '{serviceId}' holds state '{rawState ?? "(none)"}': expected {StateClosed}, {StateOpen}, {StateHalfOpen} or {StateIsolated}."),
        };

        return new CircuitRecord(
            serviceId,
            status,
            ReadTime(item, OpenUntilAttribute),
            item.TryGetValue(ProbeOwnerAttribute, out var owner) ? owner.S : null,
            ReadTime(item, ProbeLeaseUntilAttribute),
            ReadTime(item, ClosedAtAttribute),
            ReadLong(item, VersionAttribute) ?? 0,
            (int)Math.Clamp(ReadLong(item, FailedProbesAttribute) ?? 0, 0, int.MaxValue))
        {
            ChangedAt = ReadTime(item, ChangedAtAttribute),
        };
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

        // For writes that may create the item: a missing version counts as 0.
        public Transition IncrementFromZero(string attribute)
        {
            sets.Add($"#{attribute} = if_not_exists(#{attribute}, :zero) + :one");
            names[$"#{attribute}"] = attribute;
            values[":zero"] = Number(0);
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

        public UpdateItemRequest ToRequest(string tableName, string? condition)
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
