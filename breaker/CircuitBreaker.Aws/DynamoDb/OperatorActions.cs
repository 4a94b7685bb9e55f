using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Store;
using static CircuitBreaker.Aws.DynamoDb.ItemValues;
using static CircuitBreaker.Aws.DynamoDb.StateItem;

namespace CircuitBreaker.Aws.DynamoDb;

/// <summary>
/// What an operator (circuitctl) does to circuits: isolate or close one whatever state it is in, and list them.
/// Not part of <see cref="ICircuitStore"/>: the breaker itself never overrides a circuit.
/// </summary>
/// <param name="client">The DynamoDB client.</param>
/// <param name="tableName">The circuit table.</param>
/// <param name="time">Stamps each override's <see cref="CircuitRecord.ChangedAt"/>.</param>
internal sealed class OperatorActions(IAmazonDynamoDB client, string tableName, TimeProvider time)
{
    /// <summary>
    /// Operator's isolate: any state → isolated, held until <see cref="ForceCloseAsync"/>. No probe or failure
    /// changes an isolated circuit, because every other transition's condition names the state it starts from.
    /// </summary>
    /// <returns>The state before; null when the circuit was already isolated (nothing written).</returns>
    public async Task<CircuitRecord?> IsolateAsync(string serviceId, CancellationToken cancellationToken)
    {
        var transition = new StateTransition(serviceId)
            .Set(StateAttribute, State(Isolated))
            .IncrementFromZero(VersionAttribute)
            .Remove(OpenUntilAttribute)
            .ReleaseProbe()
            .Remove(FailedProbesAttribute)
            .Value(":isolated", State(Isolated));
        return await OverrideAsync(transition, "attribute_not_exists(#state) OR #state <> :isolated", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Operator's close: any state → closed at <paramref name="closedAt"/>, so failures before it stop counting
    /// (also when it was closed already: a reset).
    /// </summary>
    /// <returns>The state before.</returns>
    public async Task<CircuitRecord> ForceCloseAsync(string serviceId, DateTimeOffset closedAt, CancellationToken cancellationToken)
    {
        var transition = new StateTransition(serviceId)
            .Set(StateAttribute, State(Closed))
            .Set(ClosedAtAttribute, Time(closedAt))
            .IncrementFromZero(VersionAttribute)
            .Remove(OpenUntilAttribute)
            .ReleaseProbe()
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
            var response = await StoreCalls.Call("Scan", "(all)", () => client.ScanAsync(request, cancellationToken), cancellationToken).ConfigureAwait(false);
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

    private async Task<CircuitRecord?> OverrideAsync(StateTransition transition, string? condition, CancellationToken cancellationToken)
    {
        var request = transition.ToRequest(tableName, condition, time.GetUtcNow());
        request.ReturnValues = ReturnValue.ALL_OLD;
        try
        {
            var response = await StoreCalls.Call("UpdateItem", transition.ServiceId, () => client.UpdateItemAsync(request, cancellationToken), cancellationToken)
                .ConfigureAwait(false);
            return response.Attributes is { Count: > 0 } old ? Read(transition.ServiceId, old) : CircuitRecord.InitiallyClosed(transition.ServiceId);
        }
        catch (ConditionalCheckFailedException)
        {
            return null;
        }
    }
}
