using System.Net;
using System.Text;
using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using CircuitBreaker.Aws.Configuration;
using CircuitBreaker.Core.Configuration;
using CircuitBreaker.Core.Store;
using CircuitBreaker.Local.DynamoDb;
using CircuitBreaker.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace CircuitBreaker.Tests.Local.DynamoDb;

/// <summary>
/// The proxy in front of dynalite, driven by the AWS SDK as the functions drive DynamoDB: it counts every request by
/// operation, and with limits, holds each item to its read and write budget per second and answers past it exactly as
/// DynamoDB does, which the SDK turns into a ProvisionedThroughputExceededException. The budgets' clock is fake.
/// </summary>
[Collection(DynaliteTests.Name)]
public sealed class DynamoDbProxyTests(DynaliteFixture dynalite)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EveryRequestIsCountedByOperationAndForwarded()
    {
        var counter = new DynamoDbRequestCounter();
        await using var proxy = await DynamoDbProxy.StartAsync(dynalite.Endpoint, counter, null, Token);
        using var client = ClientOf(proxy);
        var table = await CreateTableAsync();

        await PutAsync(client, table, "a", "state", "closed");
        var read = await GetAsync(client, table, "a", "state", consistent: true);
        await GetAsync(client, table, "a", "state", consistent: true);
        await QueryAsync(client, table, "a", consistent: true);
        await client.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = table,
            Key = Key("a", "state"),
            UpdateExpression = "SET v = :v",
            ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":v"] = new() { S = "open" } },
        }, Token);

        Assert.Equal("closed", read.Item["v"].S);
        var counts = counter.Snapshot();
        Assert.Equal(1, counts["PutItem"]);
        Assert.Equal(2, counts["GetItem"]);
        Assert.Equal(1, counts["Query"]);
        Assert.Equal(1, counts["UpdateItem"]);
        Assert.Equal((3, 2, 0, 0), (counter.Reads, counter.Writes, counter.ThrottledReads, counter.ThrottledWrites));
    }

    [Fact]
    public async Task AnItemReadPastItsLimitIsRefusedAsDynamoDbRefusesItUntilTheNextSecond()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var counter = new DynamoDbRequestCounter();
        await using var proxy = await DynamoDbProxy.StartAsync(dynalite.Endpoint, counter, new ItemThroughput(new ItemThroughputLimits(5, 5), time), Token);
        using var client = ClientOf(proxy);
        var table = await CreateTableAsync();
        await PutAsync(client, table, "hot", "state", "closed");
        await PutAsync(client, table, "hot", "other", "x");

        for (var i = 0; i < 5; i++)
        {
            await GetAsync(client, table, "hot", "state", consistent: true);
        }

        var refused = await Assert.ThrowsAsync<ProvisionedThroughputExceededException>(() => GetAsync(client, table, "hot", "state", consistent: true));

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("ProvisionedThroughputExceededException", refused.ErrorCode);
        Assert.Equal(DynamoDbProxy.ThrottledMessage, refused.Message);
        var reason = Assert.Single(refused.ThrottlingReasons);
        Assert.Equal("TableReadKeyRangeThroughputExceeded", reason.Reason);
        Assert.Equal($"arn:aws:dynamodb:{DynaliteFixture.Region}:000000000000:table/{table}", reason.Resource);
        Assert.Equal(1, counter.ThrottledReads);

        // Another item of the same partition key has its own budget; the hot one's refills with time.
        Assert.Equal("x", (await GetAsync(client, table, "hot", "other", consistent: true)).Item["v"].S);
        time.Advance(TimeSpan.FromMilliseconds(199));
        await Assert.ThrowsAsync<ProvisionedThroughputExceededException>(() => GetAsync(client, table, "hot", "state", consistent: true));
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal("closed", (await GetAsync(client, table, "hot", "state", consistent: true)).Item["v"].S);
    }

    [Fact]
    public async Task AnEventuallyConsistentReadCostsHalfAUnit()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var proxy = await DynamoDbProxy.StartAsync(dynalite.Endpoint, new DynamoDbRequestCounter(), new ItemThroughput(new ItemThroughputLimits(2, 2), time), Token);
        using var client = ClientOf(proxy);
        var table = await CreateTableAsync();
        await PutAsync(client, table, "k", "state", "closed");

        for (var i = 0; i < 4; i++)
        {
            await GetAsync(client, table, "k", "state", consistent: false);
        }

        await Assert.ThrowsAsync<ProvisionedThroughputExceededException>(() => GetAsync(client, table, "k", "state", consistent: false));
    }

    [Fact]
    public async Task WritesToOneItemShareItsWriteBudgetApartFromItsReads()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var counter = new DynamoDbRequestCounter();
        await using var proxy = await DynamoDbProxy.StartAsync(dynalite.Endpoint, counter, new ItemThroughput(new ItemThroughputLimits(10, 2), time), Token);
        using var client = ClientOf(proxy);
        var table = await CreateTableAsync();

        await PutAsync(client, table, "w", "state", "closed");
        await client.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = table,
            Key = Key("w", "state"),
            UpdateExpression = "SET v = :v",
            ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":v"] = new() { S = "open" } },
        }, Token);
        var refused = await Assert.ThrowsAsync<ProvisionedThroughputExceededException>(
            () => client.DeleteItemAsync(new DeleteItemRequest { TableName = table, Key = Key("w", "state") }, Token));

        Assert.Equal("TableWriteKeyRangeThroughputExceeded", Assert.Single(refused.ThrottlingReasons).Reason);
        Assert.Equal("open", (await GetAsync(client, table, "w", "state", consistent: true)).Item["v"].S);
        await PutAsync(client, table, "w", "failure#1", "x");
        Assert.Equal(1, counter.ThrottledWrites);
        Assert.Equal(1, counter.ThrottledSnapshot()["DeleteItem"]);
    }

    [Fact]
    public async Task AQueryCountsAgainstItsPartitionKey()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var proxy = await DynamoDbProxy.StartAsync(dynalite.Endpoint, new DynamoDbRequestCounter(), new ItemThroughput(new ItemThroughputLimits(2, 10), time), Token);
        using var client = ClientOf(proxy);
        var table = await CreateTableAsync();
        await PutAsync(client, table, "a", "failure#1", "x");
        await PutAsync(client, table, "b", "failure#1", "y");

        Assert.Single((await QueryAsync(client, table, "a", consistent: true)).Items);
        await QueryAsync(client, table, "a", consistent: true);
        await Assert.ThrowsAsync<ProvisionedThroughputExceededException>(() => QueryAsync(client, table, "a", consistent: true));

        Assert.Single((await QueryAsync(client, table, "b", consistent: true)).Items);
    }

    [Fact]
    public async Task TheRefusalOnTheWireIsDynamoDbs()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var proxy = await DynamoDbProxy.StartAsync(dynalite.Endpoint, new DynamoDbRequestCounter(), new ItemThroughput(new ItemThroughputLimits(1, 1), time), Token);
        var table = await CreateTableAsync();
        using var http = new HttpClient();
        var body = JsonSerializer.Serialize(new { TableName = table, Key = new { pk = new { S = "k" }, sk = new { S = "state" } }, ConsistentRead = true });

        using (var first = await http.SendAsync(GetItem(proxy, body), Token))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        using var refused = await http.SendAsync(GetItem(proxy, body), Token);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("application/x-amz-json-1.0", refused.Content.Headers.ContentType?.MediaType);
        Assert.Matches("^[A-Z0-9]{52}$", refused.Headers.GetValues("x-amzn-RequestId").Single());
        using var answer = JsonDocument.Parse(await refused.Content.ReadAsStringAsync(Token));
        Assert.Equal("com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException", answer.RootElement.GetProperty("__type").GetString());
        Assert.Equal(
            "You exceeded your maximum allowed provisioned throughput for a table or for one or more global secondary indexes. "
                + "To view performance metrics for provisioned throughput vs. consumed throughput, open the Amazon CloudWatch console.",
            answer.RootElement.GetProperty("message").GetString());
        var reason = answer.RootElement.GetProperty("ThrottlingReasons")[0];
        Assert.Equal("TableReadKeyRangeThroughputExceeded", reason.GetProperty("reason").GetString());
        Assert.Equal($"arn:aws:dynamodb:eu-west-2:000000000000:table/{table}", reason.GetProperty("resource").GetString());
    }

    private static HttpRequestMessage GetItem(DynamoDbProxy proxy, string body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, proxy.Endpoint) { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = new("application/x-amz-json-1.0");
        request.Headers.TryAddWithoutValidation("X-Amz-Target", "DynamoDB_20120810.GetItem");
        request.Headers.TryAddWithoutValidation("Authorization",
            "AWS4-HMAC-SHA256 Credential=local/20261128/eu-west-2/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=00");
        request.Headers.TryAddWithoutValidation("X-Amz-Date", "20261128T000000Z");
        return request;
    }

    // No retries: each call is one request, so that what the proxy answered is what the test sees.
    private static IAmazonDynamoDB ClientOf(DynamoDbProxy proxy) =>
        AwsClientFactory.DynamoDb(proxy.Endpoint, DynaliteFixture.Region, TimeSpan.FromSeconds(5), DynaliteFixture.Credentials, maxErrorRetry: 0);

    private async Task<string> CreateTableAsync()
    {
        using var client = dynalite.CreateClient();
        return await dynalite.CreateTableAsync(client, Token);
    }

    private static Dictionary<string, AttributeValue> Key(string pk, string sk) => new()
    {
        ["pk"] = new() { S = pk },
        ["sk"] = new() { S = sk },
    };

    private static Task<PutItemResponse> PutAsync(IAmazonDynamoDB client, string table, string pk, string sk, string value) =>
        client.PutItemAsync(new PutItemRequest { TableName = table, Item = new(Key(pk, sk)) { ["v"] = new() { S = value } } }, Token);

    private static Task<GetItemResponse> GetAsync(IAmazonDynamoDB client, string table, string pk, string sk, bool consistent) =>
        client.GetItemAsync(new GetItemRequest { TableName = table, Key = Key(pk, sk), ConsistentRead = consistent }, Token);

    private static Task<QueryResponse> QueryAsync(IAmazonDynamoDB client, string table, string pk, bool consistent) =>
        client.QueryAsync(new QueryRequest
        {
            TableName = table,
            KeyConditionExpression = "#pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeNames = new Dictionary<string, string> { ["#pk"] = "pk" },
            ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":pk"] = new() { S = pk }, [":prefix"] = new() { S = "failure#" } },
            ConsistentRead = consistent,
        }, Token);
}
