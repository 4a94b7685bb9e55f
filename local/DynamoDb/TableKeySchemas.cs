using System.Collections.Concurrent;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using CircuitBreaker.Aws.Configuration;
using CircuitBreaker.Core.Configuration;
using CircuitBreaker.Core.Store;

namespace CircuitBreaker.Local.DynamoDb;

/// <summary>
/// Each table's key schema, read once with DescribeTable from the DynamoDB behind the proxy. It signs with placeholder
/// credentials: the proxy stands in front of dynalite or DynamoDB Local, which do not check signatures.
/// </summary>
internal sealed class TableKeySchemas : IDisposable
{
    private readonly IAmazonDynamoDB _client;
    private readonly ConcurrentDictionary<string, Lazy<Task<TableKeySchema?>>> _schemas = new(StringComparer.Ordinal);

    /// <param name="upstream">The DynamoDB endpoint the proxy forwards to.</param>
    /// <param name="region">The region to sign for.</param>
    public TableKeySchemas(Uri upstream, string region)
    {
        _client = AwsClientFactory.DynamoDb(upstream, region, TimeSpan.FromSeconds(5), new BasicAWSCredentials("proxy", "proxy"), maxErrorRetry: 1);
    }

    /// <summary>The table's key schema; null when it cannot be read now (the next request asks again).</summary>
    public async Task<TableKeySchema?> GetAsync(string table, CancellationToken cancellationToken)
    {
        var lookup = _schemas.GetOrAdd(table, name => new Lazy<Task<TableKeySchema?>>(() => DescribeAsync(name)));
        var schema = await lookup.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (schema is null)
        {
            _schemas.TryRemove(new KeyValuePair<string, Lazy<Task<TableKeySchema?>>>(table, lookup));
        }

        return schema;
    }

    /// <inheritdoc />
    public void Dispose() => _client.Dispose();

    private async Task<TableKeySchema?> DescribeAsync(string table)
    {
        try
        {
            var described = (await _client.DescribeTableAsync(table).ConfigureAwait(false)).Table;
            static string? KeyOf(IEnumerable<KeySchemaElement>? keys, KeyType type) =>
                keys?.FirstOrDefault(key => key.KeyType == type)?.AttributeName;

            if (KeyOf(described.KeySchema, KeyType.HASH) is not { } partitionKey)
            {
                return null;
            }

            var indexes = (described.GlobalSecondaryIndexes ?? [])
                .Where(index => KeyOf(index.KeySchema, KeyType.HASH) is not null)
                .ToDictionary(index => index.IndexName, index => KeyOf(index.KeySchema, KeyType.HASH)!, StringComparer.Ordinal);
            return new TableKeySchema(partitionKey, KeyOf(described.KeySchema, KeyType.RANGE), indexes);
        }
        catch (Exception error) when (error is AmazonServiceException or HttpRequestException or TaskCanceledException or IOException)
        {
            // Not there (yet), or DynamoDB unreachable: the request goes through unlimited, and DynamoDB answers it.
            return null;
        }
    }
}
