using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace CircuitBreaker.Bench.Baseline;

/// <summary>
/// The original cdk-patterns table: one item per failure under a random <c>RequestID</c> (hash) with
/// <c>ExpirationTime</c> (range, epoch seconds, also the TTL attribute), and a global secondary index
/// <c>UrlIndex</c> on <c>SiteUrl</c> + <c>ExpirationTime</c> that the webservice queries on every request.
/// </summary>
internal static class OriginalTableLayout
{
    public const string RequestId = "RequestID";
    public const string ExpirationTime = "ExpirationTime";
    public const string SiteUrl = "SiteUrl";
    public const string ErrorType = "ErrorType";
    public const string UrlIndex = "UrlIndex";

    /// <summary>
    /// The query the original's webservice sends on every request: the service's failures whose expiry lies after
    /// <paramref name="now"/>, on the index (so eventually consistent); only their number with <paramref name="countOnly"/>.
    /// </summary>
    public static QueryRequest UnexpiredFailures(string tableName, string serviceId, DateTimeOffset now, bool countOnly = false) => new()
    {
        TableName = tableName,
        IndexName = UrlIndex,
        KeyConditionExpression = "#url = :url AND #exp > :now",
        ExpressionAttributeNames = new Dictionary<string, string>
        {
            ["#url"] = SiteUrl,
            ["#exp"] = ExpirationTime,
        },
        ExpressionAttributeValues = new Dictionary<string, AttributeValue>
        {
            [":url"] = new() { S = serviceId },
            [":now"] = new() { N = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) },
        },
        Select = countOnly ? Select.COUNT : null,
    };

    public static async Task CreateAsync(IAmazonDynamoDB client, string tableName, CancellationToken cancellationToken)
    {
        await client.CreateTableAsync(
            new CreateTableRequest
            {
                TableName = tableName,
                BillingMode = BillingMode.PAY_PER_REQUEST,
                AttributeDefinitions =
                [
                    new AttributeDefinition(RequestId, ScalarAttributeType.S),
                    new AttributeDefinition(ExpirationTime, ScalarAttributeType.N),
                    new AttributeDefinition(SiteUrl, ScalarAttributeType.S),
                ],
                KeySchema = [new KeySchemaElement(RequestId, KeyType.HASH), new KeySchemaElement(ExpirationTime, KeyType.RANGE)],
                GlobalSecondaryIndexes =
                [
                    new GlobalSecondaryIndex
                    {
                        IndexName = UrlIndex,
                        KeySchema = [new KeySchemaElement(SiteUrl, KeyType.HASH), new KeySchemaElement(ExpirationTime, KeyType.RANGE)],
                        Projection = new Projection { ProjectionType = ProjectionType.ALL },
                    },
                ],
            },
            cancellationToken).ConfigureAwait(false);
        await TableWaiter.WaitActiveAsync(client, tableName, cancellationToken).ConfigureAwait(false);
    }
}
