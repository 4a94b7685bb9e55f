using CircuitBreaker.Aws.DynamoDb;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Store;
using CircuitBreaker.Tests.Support;

namespace CircuitBreaker.Tests.Store;

/// <summary>The deferred requests of whenOpen: defer in the circuit table, on dynalite.</summary>
[Collection(DynaliteTests.Name)]
public sealed class DeferredRequestStoreTests(DynaliteFixture dynalite) : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly IAmazonDynamoDB _client = dynalite.CreateClient();
    private DeferredRequestStore _store = null!;
    private string _table = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _table = await dynalite.CreateTableAsync(_client, Token);
        _store = new DeferredRequestStore(_client, _table);
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }

    internal static DeferredRequest Request(string id, DateTimeOffset at, byte[]? body = null, string serviceId = "svc") =>
        new(serviceId, id, at, "POST", "/base/orders?x=1&y=%2F", [new("content-type", "application/json"), new("x-a", "1"), new("x-a", "2")], body is null ? (ReadOnlyMemory<byte>?)null : body, at.AddDays(1));

    [Fact]
    public async Task StoredRequestsAreListedInArrivalOrderWithTheirBodyByteForByteAndTheirHeadersInOrder()
    {
        var body = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        await _store.StoreAsync(Request("b", Now.AddMilliseconds(5), body), Token);
        await _store.StoreAsync(Request("a", Now.AddMilliseconds(1)), Token);
        await _store.StoreAsync(Request("c", Now.AddSeconds(3)), Token);
        await _store.StoreAsync(Request("other", Now, serviceId: "svc2"), Token);

        var listed = await _store.ListAllAsync("svc", Token);

        Assert.Equal(["a", "b", "c"], listed.Select(request => request.Id));
        var second = listed[1];
        Assert.Equal(body, second.Body!.Value.ToArray());
        Assert.Null(listed[0].Body);
        Assert.Equal("/base/orders?x=1&y=%2F", second.PathAndQuery);
        Assert.Equal([new("content-type", "application/json"), new("x-a", "1"), new("x-a", "2")], second.Headers);
        Assert.Equal((Now.AddMilliseconds(5), 0, (DateTimeOffset?)null), (second.ArrivedAt, second.Attempts, second.ClaimedUntil));
    }

    [Fact]
    public async Task EachItemCarriesItsTimeToLiveInEpochSeconds()
    {
        await _store.StoreAsync(Request("a", Now), Token);

        var item = await _client.GetItemAsync(new GetItemRequest
        {
            TableName = _table,
            Key = new() { [CircuitTable.PartitionKey] = new() { S = "svc" }, [CircuitTable.SortKey] = new() { S = CircuitItemKeys.Deferred(Now, "a") } },
        }, Token);

        Assert.Equal(Now.AddDays(1).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), item.Item[CircuitTable.TimeToLiveAttribute].N);
        Assert.StartsWith("deferred#", item.Item[CircuitTable.SortKey].S, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AClaimHoldsTheItemFromEveryOtherReplayerUntilItRunsOutOrIsReleased()
    {
        var request = Request("a", Now);
        await _store.StoreAsync(request, Token);

        Assert.True(await _store.TryClaimAsync(request, "one", Now, Now.AddSeconds(10), Token));
        Assert.False(await _store.TryClaimAsync(request, "two", Now.AddSeconds(5), Now.AddSeconds(15), Token));
        Assert.False(await _store.DeleteAsync("svc", request.SortKey, "two", Token));
        Assert.True(await _store.TryClaimAsync(request, "two", Now.AddSeconds(11), Now.AddSeconds(20), Token));
        Assert.False(await _store.ReleaseAsync(request, "one", Token));
        Assert.True(await _store.ReleaseAsync(request, "two", Token));
        Assert.True(await _store.TryClaimAsync(request, "three", Now.AddSeconds(12), Now.AddSeconds(20), Token));
        Assert.True(await _store.DeleteAsync("svc", request.SortKey, "three", Token));
        Assert.Empty(await _store.ListAllAsync("svc", Token));
        Assert.False(await _store.TryClaimAsync(request, "four", Now.AddSeconds(30), Now.AddSeconds(40), Token));
    }

    [Fact]
    public async Task AFailureCountsAnAttemptAndReleasesTheClaimOnlyForItsHolder()
    {
        var request = Request("a", Now);
        await _store.StoreAsync(request, Token);
        await _store.TryClaimAsync(request, "one", Now, Now.AddSeconds(10), Token);

        Assert.Null(await _store.RecordFailureAsync(request, "two", "status 500", Token));
        Assert.Equal(1, await _store.RecordFailureAsync(request, "one", "status 500", Token));
        await _store.TryClaimAsync(request, "two", Now, Now.AddSeconds(10), Token);
        Assert.Equal(2, await _store.RecordFailureAsync(request, "two", "TimedOut", Token));

        var stored = Assert.Single(await _store.ListAllAsync("svc", Token));
        Assert.Equal((2, "TimedOut", (DateTimeOffset?)null), (stored.Attempts, stored.LastError, stored.ClaimedUntil));
    }

    [Fact]
    public async Task AnOperatorsDropDeletesWhateverHoldsIt()
    {
        var request = Request("a", Now);
        await _store.StoreAsync(request, Token);
        await _store.TryClaimAsync(request, "one", Now, Now.AddSeconds(10), Token);

        Assert.True(await _store.DeleteAsync("svc", request.SortKey, owner: null, Token));
        Assert.False(await _store.DeleteAsync("svc", request.SortKey, owner: null, Token));
    }
}
