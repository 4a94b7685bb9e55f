using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Store;
using static CircuitBreaker.Aws.DynamoDb.ItemValues;
using static CircuitBreaker.Aws.DynamoDb.StateItem;

namespace CircuitBreaker.Aws.DynamoDb;

/// <summary>
/// The breaker's reads and transitions of a circuit's state item. Every transition is a single conditional UpdateItem
/// naming the state it starts from, so concurrent instances race on DynamoDB's condition check and exactly one wins;
/// the conditions are tabled in docs/design.md ("State machine").
/// </summary>
/// <param name="client">The DynamoDB client.</param>
/// <param name="tableName">The circuit table.</param>
/// <param name="time">Stamps each transition's <see cref="CircuitRecord.ChangedAt"/>.</param>
/// <param name="requestPathReads">
/// For a caller whose requests wait on the read (the webservice, the Polly library): a client that retries nothing, so
/// that a throttled read comes back at once; other faults are tried once more here. Null: reads use <paramref name="client"/>.
/// </param>
internal sealed class StateItemStore(IAmazonDynamoDB client, string tableName, TimeProvider time, IAmazonDynamoDB? requestPathReads = null)
{
    private const string HeldByOwner = "#state = :halfopen AND #probeOwner = :owner";

    /// <inheritdoc cref="ICircuitStore.GetAsync"/>
    public async Task<CircuitRecord> GetAsync(string serviceId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceId);
        var request = new GetItemRequest
        {
            TableName = tableName,
            Key = Key(serviceId, CircuitItemKeys.State),
            ConsistentRead = true,
        };

        GetItemResponse response;
        if (requestPathReads is null)
        {
            response = await StoreCalls.Call("GetItem", serviceId, () => client.GetItemAsync(request, cancellationToken), cancellationToken)
                .ConfigureAwait(false);
        }
        else
        {
            try
            {
                response = await StoreCalls.Call("GetItem", serviceId, () => requestPathReads.GetItemAsync(request, cancellationToken), cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (CircuitStoreUnavailableException e) when (e is not CircuitStoreThrottledException)
            {
                // The one retry the client would have made, for anything but throttling.
                response = await StoreCalls.Call("GetItem", serviceId, () => requestPathReads.GetItemAsync(request, cancellationToken), cancellationToken)
                    .ConfigureAwait(false);
            }
        }

        // In SDK v4 a missing item comes back as a null (or empty) Item, never as an exception.
        return response.Item is { Count: > 0 } item ? Read(serviceId, item) : CircuitRecord.InitiallyClosed(serviceId);
    }

    /// <inheritdoc cref="ICircuitStore.TryOpenAsync"/>
    public Task<bool> TryOpenAsync(string serviceId, long expectedVersion, DateTimeOffset openUntil, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(expectedVersion);
        var transition = new StateTransition(serviceId)
            .Set(StateAttribute, State(Open))
            .Set(OpenUntilAttribute, Time(openUntil))
            .Set(VersionAttribute, Number(expectedVersion + 1))
            .ReleaseProbe()
            .Remove(FailedProbesAttribute)
            .Value(":closed", State(Closed))
            .Value(":expected", Number(expectedVersion));

        // A missing item is closed at version 0, so only a caller that read version 0 may create it.
        var condition = "(#state = :closed AND #version = :expected)";
        if (expectedVersion == 0)
        {
            condition = "attribute_not_exists(#pk) OR " + condition;
            transition.Name("#pk", CircuitTable.PartitionKey);
        }

        return UpdateAsync(transition, condition, cancellationToken);
    }

    /// <inheritdoc cref="ICircuitStore.TryAcquireProbeAsync"/>
    public Task<bool> TryAcquireProbeAsync(
        string serviceId, string owner, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        var transition = new StateTransition(serviceId)
            .Set(StateAttribute, State(HalfOpen))
            .Set(ProbeOwnerAttribute, new AttributeValue { S = owner })
            .Set(ProbeLeaseUntilAttribute, Time(leaseUntil))
            .Increment(VersionAttribute)
            .Name("#openUntil", OpenUntilAttribute)
            .Value(":open", State(Open))
            .Value(":halfopen", State(HalfOpen))
            .Value(":now", Time(now));

        const string condition = "(#state = :open AND #openUntil <= :now) OR (#state = :halfopen AND #probeLeaseUntil <= :now)";
        return UpdateAsync(transition, condition, cancellationToken);
    }

    /// <inheritdoc cref="ICircuitStore.TryCloseAsync"/>
    public Task<bool> TryCloseAsync(string serviceId, string owner, DateTimeOffset closedAt, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        var transition = new StateTransition(serviceId)
            .Set(StateAttribute, State(Closed))
            .Set(ClosedAtAttribute, Time(closedAt))
            .Increment(VersionAttribute)
            .Remove(OpenUntilAttribute)
            .ReleaseProbe()
            .Remove(FailedProbesAttribute)
            .Value(":halfopen", State(HalfOpen))
            .Value(":owner", new AttributeValue { S = owner });

        return UpdateAsync(transition, HeldByOwner, cancellationToken);
    }

    /// <inheritdoc cref="ICircuitStore.TryReopenAsync"/>
    public Task<bool> TryReopenAsync(string serviceId, string owner, DateTimeOffset openUntil, int failedProbes, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        ArgumentOutOfRangeException.ThrowIfNegative(failedProbes);
        var transition = new StateTransition(serviceId)
            .Set(StateAttribute, State(Open))
            .Set(OpenUntilAttribute, Time(openUntil))
            .Set(FailedProbesAttribute, Number(failedProbes))
            .Increment(VersionAttribute)
            .ReleaseProbe()
            .Value(":halfopen", State(HalfOpen))
            .Value(":owner", new AttributeValue { S = owner });

        return UpdateAsync(transition, HeldByOwner, cancellationToken);
    }

    /// <inheritdoc cref="ICircuitStore.TryReleaseProbeAsync"/>
    public Task<bool> TryReleaseProbeAsync(string serviceId, string owner, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);

        // The lease ends now rather than disappearing: taking a half-open probe requires probeLeaseUntil <= now.
        var transition = new StateTransition(serviceId)
            .Set(ProbeLeaseUntilAttribute, Time(now))
            .Remove(ProbeOwnerAttribute)
            .Increment(VersionAttribute)
            .Name("#state", StateAttribute)
            .Value(":halfopen", State(HalfOpen))
            .Value(":owner", new AttributeValue { S = owner });

        return UpdateAsync(transition, HeldByOwner, cancellationToken);
    }

    private Task<bool> UpdateAsync(StateTransition transition, string condition, CancellationToken cancellationToken)
    {
        var request = transition.ToRequest(tableName, condition, time.GetUtcNow());
        return StoreCalls.Conditional("UpdateItem", transition.ServiceId, () => client.UpdateItemAsync(request, cancellationToken), cancellationToken);
    }
}
