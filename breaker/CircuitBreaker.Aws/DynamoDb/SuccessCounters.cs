using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Store;
using static CircuitBreaker.Aws.DynamoDb.ItemValues;

namespace CircuitBreaker.Aws.DynamoDb;

/// <summary>
/// The success-counter items of the circuit table (failure-ratio mode): one counter per time bucket, added to
/// atomically by every instance, at most once per flush, and summed by a key range (docs/design.md, "The table").
/// </summary>
/// <param name="client">The DynamoDB client.</param>
/// <param name="tableName">The circuit table.</param>
internal sealed class SuccessCounters(IAmazonDynamoDB client, string tableName)
{
    private const string CountAttribute = "count";

    // The ids of the flushes added to the bucket (a string set): what makes adding a flush idempotent.
    private const string FlushesAttribute = "flushes";

    /// <inheritdoc cref="ICircuitStore.AddSuccessesAsync"/>
    public async Task<bool> AddAsync(SuccessCount successes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(successes);
        ArgumentException.ThrowIfNullOrEmpty(successes.ServiceId);
        ArgumentException.ThrowIfNullOrEmpty(successes.FlushId);
        ArgumentOutOfRangeException.ThrowIfLessThan(successes.Count, 1);
        var request = new UpdateItemRequest
        {
            TableName = tableName,
            Key = Key(successes.ServiceId, CircuitItemKeys.Successes(successes.BucketStart)),

            // ADD is atomic and creates the item: instances adding to the same bucket never lose each other's counts.
            // The flush's id goes into the same write, and the write only if the id is not there yet: DynamoDB may
            // apply a write whose answer never arrives (the SDK's own retry, or the counter's next flush, then sends it
            // again), and a count added twice would keep a failing service's circuit closed. Still one write.
            UpdateExpression = "ADD #count :count, #flushes :flushes SET #expiresAt = :expiresAt",
            ConditionExpression = "NOT contains(#flushes, :flushId)",
            ExpressionAttributeNames = new Dictionary<string, string>
            {
                ["#count"] = CountAttribute,
                ["#flushes"] = FlushesAttribute,
                ["#expiresAt"] = CircuitTable.TimeToLiveAttribute,
            },
            ExpressionAttributeValues = new Dictionary<string, AttributeValue>
            {
                [":count"] = Number(successes.Count),
                [":flushes"] = new AttributeValue { SS = [successes.FlushId] },
                [":flushId"] = new AttributeValue { S = successes.FlushId },
                [":expiresAt"] = Number(successes.ExpiresAt.ToUnixTimeSeconds()),
            },
        };

        return await StoreCalls.Conditional("UpdateItem", successes.ServiceId, () => client.UpdateItemAsync(request, cancellationToken), cancellationToken)
            .ConfigureAwait(false);
    }

    /// <inheritdoc cref="ICircuitStore.SumSuccessesAsync"/>
    public async Task<long> SumAsync(string serviceId, DateTimeOffset since, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceId);

        // As for failures, the window is a key range: an expired counter that TTL has not deleted yet is outside it.
        var (from, to) = CircuitItemKeys.SuccessesSince(since);
        var request = KeyRangeQuery.Of(tableName, serviceId, from, to);
        request.ProjectionExpression = "#count";
        request.ExpressionAttributeNames["#count"] = CountAttribute;

        long sum = 0;
        do
        {
            var response = await StoreCalls.Call("Query", serviceId, () => client.QueryAsync(request, cancellationToken), cancellationToken)
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
}
