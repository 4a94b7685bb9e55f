using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using CircuitBreaker.Contract;

namespace CircuitBreaker.Local.Dynalite;

/// <summary>
/// Creates the circuit table the way the stack declares it (<see cref="CircuitTable"/>), for local mode and tests.
/// TTL is not switched on: dynalite has no UpdateTimeToLive, and the store never relies on TTL deleting anything.
/// </summary>
internal sealed class CircuitTableProvisioner
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    private readonly TimeSpan _activeTimeout;

    /// <summary>Waits at most <paramref name="activeTimeout"/> (default 30 s) for the table to become ACTIVE.</summary>
    public CircuitTableProvisioner(TimeSpan? activeTimeout = null)
    {
        _activeTimeout = activeTimeout ?? TimeSpan.FromSeconds(30);
    }

    /// <summary>Creates the table unless it exists (an existing one is kept as it is), then waits until it is ACTIVE.</summary>
    public async Task CreateAsync(IAmazonDynamoDB client, string tableName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(tableName);

        var request = new CreateTableRequest
        {
            TableName = tableName,
            BillingMode = BillingMode.PAY_PER_REQUEST,
            AttributeDefinitions =
            [
                new AttributeDefinition(CircuitTable.PartitionKey, CircuitTable.KeyAttributeType),
                new AttributeDefinition(CircuitTable.SortKey, CircuitTable.KeyAttributeType),
            ],
            KeySchema =
            [
                new KeySchemaElement(CircuitTable.PartitionKey, KeyType.HASH),
                new KeySchemaElement(CircuitTable.SortKey, KeyType.RANGE),
            ],
        };

        // Asked first, so that an existing table is used as it is, even with credentials that may not create tables.
        if (!await ExistsAsync(client, tableName, cancellationToken).ConfigureAwait(false))
        {
            try
            {
                await client.CreateTableAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (ResourceInUseException)
            {
                // Being created by someone else since: waiting for ACTIVE below covers it.
            }
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_activeTimeout);
        try
        {
            while (true)
            {
                var described = await client.DescribeTableAsync(tableName, deadline.Token).ConfigureAwait(false);
                if (described.Table?.TableStatus == TableStatus.ACTIVE)
                {
                    return;
                }

                await Task.Delay(PollInterval, deadline.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Table '{tableName}' did not become ACTIVE within {_activeTimeout.TotalSeconds:0.#} s.");
        }
    }

    private static async Task<bool> ExistsAsync(IAmazonDynamoDB client, string tableName, CancellationToken cancellationToken)
    {
        try
        {
            await client.DescribeTableAsync(tableName, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ResourceNotFoundException)
        {
            return false;
        }
    }
}
