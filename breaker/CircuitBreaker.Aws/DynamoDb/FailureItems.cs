using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Store;
using static CircuitBreaker.Aws.DynamoDb.ItemValues;

namespace CircuitBreaker.Aws.DynamoDb;

/// <summary>
/// The failure items of the circuit table: one per failure event, stored once however often the event is delivered,
/// and counted by a key range over their times (docs/design.md, "The table").
/// </summary>
/// <param name="client">The DynamoDB client.</param>
/// <param name="tableName">The circuit table.</param>
internal sealed class FailureItems(IAmazonDynamoDB client, string tableName)
{
    private const string ReasonAttribute = "reason";
    private const string FailedAtAttribute = "failedAt";

    /// <inheritdoc cref="ICircuitStore.RecordFailureAsync"/>
    public async Task<bool> RecordAsync(FailureRecord failure, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(failure);
        ArgumentException.ThrowIfNullOrEmpty(failure.ServiceId);
        ArgumentException.ThrowIfNullOrEmpty(failure.EventId);

        var item = Key(failure.ServiceId, CircuitItemKeys.Failure(failure.FailedAt, failure.EventId));
        item[CircuitTable.TimeToLiveAttribute] = Number(failure.ExpiresAt.ToUnixTimeSeconds());
        item[FailedAtAttribute] = Time(failure.FailedAt);
        item[ReasonAttribute] = new AttributeValue { S = failure.Reason };

        var request = new PutItemRequest
        {
            TableName = tableName,
            Item = item,

            // The event id is in the sort key: a redelivered event finds its own item and is not stored again.
            ConditionExpression = "attribute_not_exists(#sk)",
            ExpressionAttributeNames = new Dictionary<string, string> { ["#sk"] = CircuitTable.SortKey },
        };

        return await StoreCalls.Conditional("PutItem", failure.ServiceId, () => client.PutItemAsync(request, cancellationToken), cancellationToken)
            .ConfigureAwait(false);
    }

    /// <inheritdoc cref="ICircuitStore.CountFailuresAsync"/>
    public async Task<int> CountAsync(string serviceId, DateTimeOffset since, DateTimeOffset until, int limit, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceId);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);

        // The window is a key range, not a filter on expiresAt: TTL deletes expired items days late, if at all.
        var (from, to) = CircuitItemKeys.FailuresBetween(since, until);
        var request = KeyRangeQuery.Of(tableName, serviceId, from, to);
        request.Select = Select.COUNT;
        request.Limit = limit;

        // A page stops at 1 MB read; a large limit (ratio mode) may need more than one.
        var count = 0;
        do
        {
            var response = await StoreCalls.Call("Query", serviceId, () => client.QueryAsync(request, cancellationToken), cancellationToken)
                .ConfigureAwait(false);
            count += response.Count ?? 0;
            request.ExclusiveStartKey = response.LastEvaluatedKey;
            request.Limit = limit - count;
        }
        while (count < limit && request.ExclusiveStartKey is { Count: > 0 });

        return count;
    }
}
