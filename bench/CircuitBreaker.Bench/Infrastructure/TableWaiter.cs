using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace CircuitBreaker.Bench;

/// <summary>Waits for a freshly created table (and its indexes) to become ACTIVE; dynalite takes a moment.</summary>
internal static class TableWaiter
{
    public static async Task WaitActiveAsync(IAmazonDynamoDB client, string tableName, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var table = (await client.DescribeTableAsync(tableName, cancellationToken).ConfigureAwait(false)).Table;
            var indexesActive = table.GlobalSecondaryIndexes is null
                || table.GlobalSecondaryIndexes.All(index => index.IndexStatus == IndexStatus.ACTIVE);
            if (table.TableStatus == TableStatus.ACTIVE && indexesActive)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Table {tableName} did not become ACTIVE within 30 s.");
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }
}
