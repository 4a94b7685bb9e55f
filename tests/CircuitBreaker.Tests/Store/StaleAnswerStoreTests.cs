using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using CircuitBreaker.Aws.DynamoDb;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Store;
using CircuitBreaker.Tests.Support;

namespace CircuitBreaker.Tests.Store;

/// <summary>The stored answers of <c>whenOpen: stale</c> in the circuit table, against dynalite.</summary>
[Collection(DynaliteTests.Name)]
public sealed class StaleAnswerStoreTests(DynaliteFixture dynalite) : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private const string Key = "GET http://downstream.test/base/item?a=1";

    private readonly IAmazonDynamoDB _client = dynalite.CreateClient();
    private string _table = string.Empty;
    private DynamoDbStaleAnswerStore _store = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _table = await dynalite.CreateTableAsync(_client, Token);
        _store = new DynamoDbStaleAnswerStore(_client, _table);
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }

    private static StoredAnswer Answer(string body = "v1", DateTimeOffset? storedAt = null, string varied = "", string key = Key) => new(
        "svc",
        key,
        varied,
        storedAt ?? Now,
        (storedAt ?? Now) + TimeSpan.FromMinutes(10),
        200,
        [KeyValuePair.Create("content-type", "text/plain"), KeyValuePair.Create("etag", "\"a: b\""), KeyValuePair.Create("x-empty", "")],
        System.Text.Encoding.UTF8.GetBytes(body));

    [Fact]
    public async Task AnAnswerIsReadBackAsStoredUnderAStaleKeyWithItsTtl()
    {
        Assert.True(await _store.StoreAsync(Answer(varied: "abc"), Token));

        var found = await _store.FindAsync("svc", Key, Token);
        var item = (await _client.GetItemAsync(_table, ItemValues.Key("svc", CircuitItemKeys.Stale(Key)), Token)).Item;

        Assert.NotNull(found);
        Assert.Equal((Now, Now.AddMinutes(10), 200, "abc", "v1"), (found.StoredAt, found.ExpiresAt, found.StatusCode, found.VariedHeaders, System.Text.Encoding.UTF8.GetString(found.Body.Span)));
        Assert.Equal(Answer().Headers, found.Headers);
        Assert.StartsWith(CircuitItemKeys.StalePrefix, item[CircuitTable.SortKey].S, StringComparison.Ordinal);
        Assert.Equal(Now.AddMinutes(10).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), item[CircuitTable.TimeToLiveAttribute].N);
    }

    [Fact]
    public async Task ABinaryBodyIsServedBackByteForByte()
    {
        var bytes = Enumerable.Range(0, 256).Select(value => (byte)value).Concat(new byte[] { 0xEF, 0xBB, 0xBF, 0xFF, 0xFE, 0x00 }).ToArray();
        Assert.True(await _store.StoreAsync(Answer() with { Body = bytes }, Token));

        Assert.Equal(bytes, (await _store.FindAsync("svc", Key, Token))!.Body.ToArray());
    }

    [Fact]
    public async Task AnEmptyBodyIsStoredAndReadBackEmpty()
    {
        await _store.StoreAsync(Answer("v1"), Token);
        await _store.StoreAsync(Answer(string.Empty, Now.AddSeconds(1)), Token);

        Assert.True((await _store.FindAsync("svc", Key, Token))!.Body.IsEmpty);
    }

    [Fact]
    public async Task AnOlderAnswerNeverReplacesANewerOne()
    {
        Assert.True(await _store.StoreAsync(Answer("newer", Now.AddSeconds(5)), Token));

        Assert.False(await _store.StoreAsync(Answer("older", Now), Token));
        Assert.Equal("newer", System.Text.Encoding.UTF8.GetString((await _store.FindAsync("svc", Key, Token))!.Body.Span));
    }

    [Fact]
    public async Task AnItemUnderTheSameHashForAnotherKeyIsNoAnswer()
    {
        // A collision stands in: the item at this key's hash holds another request's key.
        await _client.PutItemAsync(new PutItemRequest
        {
            TableName = _table,
            Item = new Dictionary<string, AttributeValue>(ItemValues.Key("svc", CircuitItemKeys.Stale(Key)))
            {
                ["requestKey"] = new AttributeValue { S = "GET http://downstream.test/base/other" },
                ["storedAt"] = ItemValues.Time(Now),
                [CircuitTable.TimeToLiveAttribute] = ItemValues.Number(Now.AddMinutes(10).ToUnixTimeSeconds()),
                ["status"] = ItemValues.Number(200),
                ["body"] = new AttributeValue { B = new MemoryStream("someone else's"u8.ToArray()) },
            },
        }, Token);

        Assert.Null(await _store.FindAsync("svc", Key, Token));
    }

    [Fact]
    public async Task AnswersArePerServiceAndPerKey()
    {
        await _store.StoreAsync(Answer(), Token);

        Assert.Null(await _store.FindAsync("other-svc", Key, Token));
        Assert.Null(await _store.FindAsync("svc", Key + "&b=2", Token));
    }

    [Fact]
    public async Task AnAnswerOverTheBodyLimitOrTheItemLimitIsNotSent()
    {
        var overBody = Answer() with { Body = new byte[DynamoDbStaleAnswerStore.MaxBodyBytes + 1] };
        var overItem = Answer() with { Headers = [KeyValuePair.Create("x-huge", new string('h', DynamoDbStaleAnswerStore.MaxItemBytes))] };
        var atLimit = Answer() with { Body = new byte[DynamoDbStaleAnswerStore.MaxBodyBytes] };

        Assert.False(await _store.StoreAsync(overBody, Token));
        Assert.False(await _store.StoreAsync(overItem, Token));
        Assert.Null(await _store.FindAsync("svc", Key, Token));
        Assert.True(DynamoDbStaleAnswerStore.ItemSize(atLimit) <= DynamoDbStaleAnswerStore.MaxItemBytes);
        Assert.True(await _store.StoreAsync(atLimit, Token));
    }

    [Fact]
    public async Task InvalidatingLeavesNoAnswerAndCreatesNoItemWhereThereWasNone()
    {
        await _store.StoreAsync(Answer(), Token);

        Assert.True(await _store.InvalidateAsync("svc", Key, Token));
        Assert.Null(await _store.FindAsync("svc", Key, Token));
        Assert.False(await _store.InvalidateAsync("svc", Key + "&never=stored", Token));
        Assert.Empty((await _client.GetItemAsync(_table, ItemValues.Key("svc", CircuitItemKeys.Stale(Key + "&never=stored")), Token)).Item ?? []);
        Assert.True(await _store.StoreAsync(Answer("again", Now.AddSeconds(1)), Token));
        Assert.NotNull(await _store.FindAsync("svc", Key, Token));
    }

    [Fact]
    public async Task StaleItemsStayOutOfTheFailureAndSuccessRanges()
    {
        await _store.StoreAsync(Answer(), Token);
        var circuits = new DynamoDbCircuitStore(_client, _table);

        Assert.Equal(0, await circuits.CountFailuresAsync("svc", DateTimeOffset.UnixEpoch, DateTimeOffset.MaxValue.AddYears(-1), 100, Token));
        Assert.Equal(0, await circuits.SumSuccessesAsync("svc", DateTimeOffset.UnixEpoch, Token));
    }
}
