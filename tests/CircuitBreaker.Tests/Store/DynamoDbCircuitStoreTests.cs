using System.Net;
using System.Net.Sockets;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using CircuitBreaker.Aws.Configuration;
using CircuitBreaker.Aws.DynamoDb;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Breaker;
using CircuitBreaker.Core.Configuration;
using CircuitBreaker.Core.Store;
using CircuitBreaker.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace CircuitBreaker.Tests.Store;

[Collection(DynaliteTests.Name)]
public sealed class DynamoDbCircuitStoreTests(DynaliteFixture dynalite) : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(60);
    private static readonly DateTimeOffset Until = Now + TimeSpan.FromSeconds(5);

    private readonly IAmazonDynamoDB client = dynalite.CreateClient();
    private string tableName = string.Empty;
    private DynamoDbCircuitStore store = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        tableName = await dynalite.CreateTableAsync(client, Token);
        store = new DynamoDbCircuitStore(client, tableName, new FakeTimeProvider(Now));
    }

    public ValueTask DisposeAsync()
    {
        client.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task GetOnAnEmptyTableReadsClosedAtVersionZero()
    {
        var record = await store.GetAsync("svc", Token);

        Assert.Equal(CircuitRecord.InitiallyClosed("svc"), record);
    }

    [Fact]
    public async Task CountIncludesFailuresAtOrAfterSinceAndNothingEarlier()
    {
        await Record("svc", "e1", Now - TimeSpan.FromSeconds(120));
        await Record("svc", "e2", Now - Window - TimeSpan.FromMilliseconds(1));
        await Record("svc", "e3", Now - Window);
        await Record("svc", "e4", Now - TimeSpan.FromSeconds(10));
        await Record("svc", "e5", Now);

        Assert.Equal(3, await store.CountFailuresAsync("svc", Now - Window, Until, 100, Token));
    }

    [Fact]
    public async Task CountIncludesFailuresStampedAheadOfNowUpToUntil()
    {
        await Record("svc", "skewed", Now + TimeSpan.FromSeconds(3));

        Assert.Equal(1, await store.CountFailuresAsync("svc", Now - Window, Until, 100, Token));
    }

    [Fact]
    public async Task CountIgnoresExpiredFailuresThatTtlHasNotDeletedYet()
    {
        // Failed two hours ago and expired an hour ago, but TTL has not swept them: they are still in the table.
        await store.RecordFailureAsync(new FailureRecord("svc", "old-1", Now - TimeSpan.FromHours(2), Now - TimeSpan.FromHours(1), FailureReasons.Timeout), Token);
        await store.RecordFailureAsync(new FailureRecord("svc", "old-2", Now - TimeSpan.FromMinutes(90), Now - TimeSpan.FromMinutes(30), FailureReasons.Timeout), Token);
        Assert.Equal(2, await CountAllItems("svc"));

        Assert.Equal(0, await store.CountFailuresAsync("svc", Now - Window, Until, 100, Token));
    }

    [Fact]
    public async Task CountIsPerService()
    {
        await Record("svc-a", "e1", Now);
        await Record("svc-b", "e2", Now);
        await Record("svc-b", "e3", Now);

        Assert.Equal(1, await store.CountFailuresAsync("svc-a", Now - Window, Until, 100, Token));
        Assert.Equal(2, await store.CountFailuresAsync("svc-b", Now - Window, Until, 100, Token));
    }

    [Fact]
    public async Task CountStopsAtTheLimit()
    {
        for (var i = 0; i < 5; i++)
        {
            await Record("svc", $"e{i}", Now - TimeSpan.FromSeconds(i));
        }

        Assert.Equal(3, await store.CountFailuresAsync("svc", Now - Window, Until, 3, Token));
        Assert.Equal(5, await store.CountFailuresAsync("svc", Now - Window, Until, 10, Token));
    }

    [Fact]
    public async Task CountLeavesOutFailuresDatedAfterUntil()
    {
        // As an older recorder stored them: dated as claimed, far ahead of any clock.
        await Record("svc", "now", Now);
        await Record("svc", "edge", Until);
        await Record("svc", "ahead", Until + TimeSpan.FromMilliseconds(1));
        await Record("svc", "forged", Now + TimeSpan.FromDays(365));

        Assert.Equal(2, await store.CountFailuresAsync("svc", Now - Window, Until, 100, Token));
    }

    [Fact]
    public async Task TheSameEventRecordedTwiceIsStoredOnce()
    {
        var failure = new FailureRecord("svc", "event-1", Now, Now + TimeSpan.FromMinutes(2), FailureReasons.ServerError);

        Assert.True(await store.RecordFailureAsync(failure, Token));
        Assert.False(await store.RecordFailureAsync(failure, Token));

        Assert.Equal(1, await store.CountFailuresAsync("svc", Now - Window, Until, 100, Token));
        Assert.Equal(1, await CountAllItems("svc"));
    }

    [Fact]
    public async Task AFailureItemCarriesItsExpiryInEpochSecondsForTtl()
    {
        var expiresAt = Now + TimeSpan.FromMinutes(2);
        await store.RecordFailureAsync(new FailureRecord("svc", "event-1", Now, expiresAt, FailureReasons.Timeout), Token);

        var item = await client.GetItemAsync(
            new GetItemRequest
            {
                TableName = tableName,
                Key = new()
                {
                    [CircuitTable.PartitionKey] = new AttributeValue { S = "svc" },
                    [CircuitTable.SortKey] = new AttributeValue { S = CircuitItemKeys.Failure(Now, "event-1") },
                },
                ConsistentRead = true,
            },
            Token);

        Assert.Equal(expiresAt.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), item.Item[CircuitTable.TimeToLiveAttribute].N);
        Assert.Equal(FailureReasons.Timeout, item.Item["reason"].S);
    }

    [Fact]
    public async Task OpenSucceedsOnlyFromClosedAtTheExpectedVersion()
    {
        var openUntil = Now + TimeSpan.FromSeconds(60);

        Assert.False(await store.TryOpenAsync("svc", 3, openUntil, Token));
        Assert.True(await store.TryOpenAsync("svc", 0, openUntil, Token));
        Assert.False(await store.TryOpenAsync("svc", 0, openUntil, Token));
        Assert.False(await store.TryOpenAsync("svc", 1, openUntil, Token));

        var record = await store.GetAsync("svc", Token);
        Assert.Equal(CircuitStatus.Open, record.Status);
        Assert.Equal(openUntil, record.OpenUntil);
        Assert.Equal(1, record.Version);
        Assert.Null(record.ProbeOwner);
        Assert.Null(record.ProbeLeaseUntil);
    }

    [Fact]
    public async Task ConcurrentOpensAtTheSameVersionHaveOneWinner()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 20)
            .Select(_ => Task.Run(() => store.TryOpenAsync("svc", 0, Now + Window, Token), Token)));

        Assert.Single(results, won => won);
        Assert.Equal(1, (await store.GetAsync("svc", Token)).Version);
    }

    [Fact]
    public async Task OpenAfterAProbeClosedTheCircuitNeedsTheNewVersion()
    {
        await store.TryOpenAsync("svc", 0, Now, Token);
        await store.TryAcquireProbeAsync("svc", "probe", Now, Now + Window, Token);
        Assert.True(await store.TryCloseAsync("svc", "probe", Now, Token));
        var closed = await store.GetAsync("svc", Token);
        Assert.Equal(3, closed.Version);

        Assert.False(await store.TryOpenAsync("svc", 0, Now + Window, Token));
        Assert.False(await store.TryOpenAsync("svc", 2, Now + Window, Token));
        Assert.True(await store.TryOpenAsync("svc", 3, Now + Window, Token));
        Assert.Equal(4, (await store.GetAsync("svc", Token)).Version);
    }

    [Fact]
    public async Task AProbeCanBeAcquiredOnlyOnceTheOpenPeriodIsOver()
    {
        var openUntil = Now + Window;
        Assert.False(await store.TryAcquireProbeAsync("svc", "early", Now, Now + Window, Token));
        await store.TryOpenAsync("svc", 0, openUntil, Token);

        Assert.False(await store.TryAcquireProbeAsync("svc", "early", openUntil - TimeSpan.FromMilliseconds(1), openUntil + Window, Token));
        Assert.True(await store.TryAcquireProbeAsync("svc", "on-time", openUntil, openUntil + TimeSpan.FromSeconds(10), Token));

        var record = await store.GetAsync("svc", Token);
        Assert.Equal(CircuitStatus.HalfOpen, record.Status);
        Assert.Equal("on-time", record.ProbeOwner);
        Assert.Equal(openUntil + TimeSpan.FromSeconds(10), record.ProbeLeaseUntil);
        Assert.Equal(2, record.Version);
    }

    [Fact]
    public async Task FiftyConcurrentProbeCandidatesElectExactlyOne()
    {
        await store.TryOpenAsync("svc", 0, Now, Token);
        var owners = Enumerable.Range(0, 50).Select(i => $"request-{i}").ToArray();

        var results = await Task.WhenAll(owners.Select(owner =>
            Task.Run(() => store.TryAcquireProbeAsync("svc", owner, Now + TimeSpan.FromSeconds(1), Now + Window, Token), Token)));

        Assert.Single(results, won => won);
        var winner = owners[Array.IndexOf(results, true)];
        var record = await store.GetAsync("svc", Token);
        Assert.Equal(winner, record.ProbeOwner);
        Assert.Equal(2, record.Version);
    }

    [Fact]
    public async Task ALapsedLeaseCanBeTakenOverAndAnUnlapsedOneCannot()
    {
        var leaseUntil = Now + TimeSpan.FromSeconds(10);
        await store.TryOpenAsync("svc", 0, Now, Token);
        Assert.True(await store.TryAcquireProbeAsync("svc", "first", Now, leaseUntil, Token));

        Assert.False(await store.TryAcquireProbeAsync("svc", "second", leaseUntil - TimeSpan.FromMilliseconds(1), leaseUntil + Window, Token));
        Assert.Equal("first", (await store.GetAsync("svc", Token)).ProbeOwner);

        Assert.True(await store.TryAcquireProbeAsync("svc", "second", leaseUntil, leaseUntil + Window, Token));
        var record = await store.GetAsync("svc", Token);
        Assert.Equal("second", record.ProbeOwner);
        Assert.Equal(leaseUntil + Window, record.ProbeLeaseUntil);
        Assert.Equal(3, record.Version);

        // The first prober, back late, no longer owns the circuit.
        Assert.False(await store.TryCloseAsync("svc", "first", leaseUntil, Token));
    }

    [Fact]
    public async Task OnlyTheProbeOwnerCloses()
    {
        await store.TryOpenAsync("svc", 0, Now, Token);
        await store.TryAcquireProbeAsync("svc", "owner", Now, Now + Window, Token);

        Assert.False(await store.TryCloseAsync("svc", "someone-else", Now, Token));
        Assert.True(await store.TryCloseAsync("svc", "owner", Now + TimeSpan.FromSeconds(1), Token));
        Assert.False(await store.TryCloseAsync("svc", "owner", Now + TimeSpan.FromSeconds(2), Token));

        Assert.Equal(
            new CircuitRecord("svc", CircuitStatus.Closed, null, null, null, Now + TimeSpan.FromSeconds(1), 3) { ChangedAt = Now },
            await store.GetAsync("svc", Token));
    }

    [Fact]
    public async Task OnlyTheProbeOwnerReopens()
    {
        await store.TryOpenAsync("svc", 0, Now, Token);
        await store.TryAcquireProbeAsync("svc", "owner", Now, Now + Window, Token);
        var reopenUntil = Now + TimeSpan.FromSeconds(90);

        Assert.False(await store.TryReopenAsync("svc", "someone-else", reopenUntil, 1, Token));
        Assert.True(await store.TryReopenAsync("svc", "owner", reopenUntil, 1, Token));
        Assert.False(await store.TryReopenAsync("svc", "owner", reopenUntil, 1, Token));

        Assert.Equal(
            new CircuitRecord("svc", CircuitStatus.Open, reopenUntil, null, null, null, 3, FailedProbes: 1) { ChangedAt = Now },
            await store.GetAsync("svc", Token));

        // Reopened means open again: the next probe waits for the new open period.
        Assert.False(await store.TryAcquireProbeAsync("svc", "next", reopenUntil - TimeSpan.FromSeconds(1), reopenUntil + Window, Token));
        Assert.True(await store.TryAcquireProbeAsync("svc", "next", reopenUntil, reopenUntil + Window, Token));
    }

    [Fact]
    public async Task OnlyTheProbeOwnerReleasesItsLeaseAndTheNextCandidateMayProbeAtOnce()
    {
        await store.TryOpenAsync("svc", 0, Now, Token);
        await store.TryAcquireProbeAsync("svc", "owner", Now, Now + Window, Token);
        var later = Now + TimeSpan.FromSeconds(2);

        Assert.False(await store.TryReleaseProbeAsync("svc", "someone-else", later, Token));
        Assert.False(await store.TryAcquireProbeAsync("svc", "next", later, later + Window, Token));
        Assert.True(await store.TryReleaseProbeAsync("svc", "owner", later, Token));
        Assert.False(await store.TryReleaseProbeAsync("svc", "owner", later, Token));

        Assert.Equal(
            new CircuitRecord("svc", CircuitStatus.HalfOpen, Now, null, later, null, 3) { ChangedAt = Now },
            await store.GetAsync("svc", Token));
        Assert.True(await store.TryAcquireProbeAsync("svc", "next", later, later + Window, Token));
        Assert.False(await store.TryCloseAsync("svc", "owner", later, Token));
    }

    [Fact]
    public async Task ClosedAndOpenCircuitsRefuseProbeOutcomes()
    {
        Assert.False(await store.TryCloseAsync("svc", "owner", Now, Token));
        Assert.False(await store.TryReopenAsync("svc", "owner", Now, 1, Token));

        await store.TryOpenAsync("svc", 0, Now, Token);
        Assert.False(await store.TryCloseAsync("svc", "owner", Now, Token));
        Assert.False(await store.TryReopenAsync("svc", "owner", Now, 1, Token));
        Assert.Equal(CircuitStatus.Open, (await store.GetAsync("svc", Token)).Status);
    }

    [Fact]
    public async Task FailedProbesAreStoredByAReopenKeptThroughTheNextProbeAndClearedByAClose()
    {
        await store.TryOpenAsync("svc", 0, Now, Token);
        await store.TryAcquireProbeAsync("svc", "p1", Now, Now + Window, Token);
        await store.TryReopenAsync("svc", "p1", Now + TimeSpan.FromSeconds(1), 1, Token);
        await store.TryAcquireProbeAsync("svc", "p2", Now + TimeSpan.FromSeconds(1), Now + Window, Token);
        Assert.Equal(1, (await store.GetAsync("svc", Token)).FailedProbes);
        await store.TryReopenAsync("svc", "p2", Now + TimeSpan.FromSeconds(2), 2, Token);
        Assert.Equal(2, (await store.GetAsync("svc", Token)).FailedProbes);

        await store.TryAcquireProbeAsync("svc", "p3", Now + TimeSpan.FromSeconds(2), Now + Window, Token);
        Assert.True(await store.TryCloseAsync("svc", "p3", Now + TimeSpan.FromSeconds(2), Token));
        Assert.Equal(0, (await store.GetAsync("svc", Token)).FailedProbes);

        Assert.True(await store.TryOpenAsync("svc", (await store.GetAsync("svc", Token)).Version, Now + Window, Token));
        Assert.Equal(0, (await store.GetAsync("svc", Token)).FailedProbes);
    }

    [Fact]
    public async Task SuccessesAddedConcurrentlyToOneBucketAreAllKept()
    {
        var bucket = Now - TimeSpan.FromSeconds(5);

        await Task.WhenAll(Enumerable.Range(1, 20)
            .Select(i => Task.Run(() => store.AddSuccessesAsync(new SuccessCount("svc", bucket, i, Now + Window, SuccessFlushIds.New()), Token), Token)));

        Assert.Equal(20 * 21 / 2, await store.SumSuccessesAsync("svc", Now - Window, Token));
        Assert.Equal(1, await CountAllItems("svc"));
    }

    [Fact]
    public async Task AFlushSentAgainWithItsIdIsAddedOnceAndOtherFlushesStillAdd()
    {
        var bucket = Now - TimeSpan.FromSeconds(5);
        var flush = new SuccessCount("svc", bucket, 40, Now + Window, SuccessFlushIds.New());

        var first = await store.AddSuccessesAsync(flush, Token);
        var again = await store.AddSuccessesAsync(flush, Token);
        var another = await store.AddSuccessesAsync(flush with { Count = 2, FlushId = SuccessFlushIds.New() }, Token);

        Assert.True(first);
        Assert.False(again);
        Assert.True(another);
        Assert.Equal(42, await store.SumSuccessesAsync("svc", Now - Window, Token));
        Assert.Equal(1, await CountAllItems("svc"));
    }

    [Fact]
    public async Task SumTakesBucketsStartingAtOrAfterSinceAndInTheFutureButNothingEarlierNorOtherItems()
    {
        await store.AddSuccessesAsync(new SuccessCount("svc", Now - Window - TimeSpan.FromSeconds(1), 1000, Now + Window, SuccessFlushIds.New()), Token);
        await store.AddSuccessesAsync(new SuccessCount("svc", Now - Window, 1, Now + Window, SuccessFlushIds.New()), Token);
        await store.AddSuccessesAsync(new SuccessCount("svc", Now - TimeSpan.FromSeconds(3), 20, Now + Window, SuccessFlushIds.New()), Token);
        await store.AddSuccessesAsync(new SuccessCount("svc", Now + TimeSpan.FromMinutes(5), 300, Now + Window, SuccessFlushIds.New()), Token);
        await store.AddSuccessesAsync(new SuccessCount("other", Now, 4000, Now + Window, SuccessFlushIds.New()), Token);
        await Record("svc", "failure", Now);
        await store.TryOpenAsync("svc", 0, Now, Token);

        Assert.Equal(321, await store.SumSuccessesAsync("svc", Now - Window, Token));
        Assert.Equal(1, await store.CountFailuresAsync("svc", Now - Window, Until, 100, Token));
    }

    [Fact]
    public async Task SumIgnoresExpiredCountersThatTtlHasNotDeletedYet()
    {
        // Counted two hours ago and expired an hour ago, but TTL has not swept it: it is still in the table.
        await store.AddSuccessesAsync(new SuccessCount("svc", Now - TimeSpan.FromHours(2), 500, Now - TimeSpan.FromHours(1), SuccessFlushIds.New()), Token);
        Assert.Equal(1, await CountAllItems("svc"));

        Assert.Equal(0, await store.SumSuccessesAsync("svc", Now - Window, Token));
    }

    [Fact]
    public async Task ASuccessCounterCarriesItsCountAndItsExpiryInEpochSecondsForTtl()
    {
        var expiresAt = Now + TimeSpan.FromMinutes(3);
        await store.AddSuccessesAsync(new SuccessCount("svc", Now, 7, expiresAt, SuccessFlushIds.New()), Token);

        var item = await client.GetItemAsync(
            new GetItemRequest
            {
                TableName = tableName,
                Key = new()
                {
                    [CircuitTable.PartitionKey] = new AttributeValue { S = "svc" },
                    [CircuitTable.SortKey] = new AttributeValue { S = CircuitItemKeys.Successes(Now) },
                },
                ConsistentRead = true,
            },
            Token);

        Assert.Equal(expiresAt.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), item.Item[CircuitTable.TimeToLiveAttribute].N);
        Assert.Equal("7", item.Item["count"].N);
    }

    [Fact]
    public async Task AStateItemWithAnUnknownStateIsReportedAsAStoreFault()
    {
        await client.PutItemAsync(
            new PutItemRequest
            {
                TableName = tableName,
                Item = new()
                {
                    [CircuitTable.PartitionKey] = new AttributeValue { S = "svc" },
                    [CircuitTable.SortKey] = new AttributeValue { S = CircuitItemKeys.State },
                    ["state"] = new AttributeValue { S = "sideways" },
                },
            },
            Token);

        var fault = await Assert.ThrowsAsync<CircuitStoreUnavailableException>(() => store.GetAsync("svc", Token));
        Assert.Contains("sideways", fault.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AClosedPortFailsEveryOperationPromptlyAsUnavailable()
    {
        using var unreachable = AwsClientFactory.DynamoDb(
            new Uri($"http://127.0.0.1:{ClosedPort()}/"), DynaliteFixture.Region, TimeSpan.FromSeconds(1), DynaliteFixture.Credentials, maxErrorRetry: 1);
        var offline = new DynamoDbCircuitStore(unreachable, tableName);
        var started = System.Diagnostics.Stopwatch.StartNew();

        var faults = new List<CircuitStoreUnavailableException>
        {
            await Assert.ThrowsAsync<CircuitStoreUnavailableException>(() => offline.GetAsync("svc", Token)),
            await Assert.ThrowsAsync<CircuitStoreUnavailableException>(() => offline.RecordFailureAsync(new FailureRecord("svc", "e", Now, Now, FailureReasons.Timeout), Token)),
            await Assert.ThrowsAsync<CircuitStoreUnavailableException>(() => offline.CountFailuresAsync("svc", Now, Until, 3, Token)),
            await Assert.ThrowsAsync<CircuitStoreUnavailableException>(() => offline.TryOpenAsync("svc", 0, Now, Token)),
            await Assert.ThrowsAsync<CircuitStoreUnavailableException>(() => offline.TryAcquireProbeAsync("svc", "o", Now, Now, Token)),
            await Assert.ThrowsAsync<CircuitStoreUnavailableException>(() => offline.TryCloseAsync("svc", "o", Now, Token)),
            await Assert.ThrowsAsync<CircuitStoreUnavailableException>(() => offline.TryReopenAsync("svc", "o", Now, 1, Token)),
            await Assert.ThrowsAsync<CircuitStoreUnavailableException>(() => offline.AddSuccessesAsync(new SuccessCount("svc", Now, 1, Now, SuccessFlushIds.New()), Token)),
            await Assert.ThrowsAsync<CircuitStoreUnavailableException>(() => offline.SumSuccessesAsync("svc", Now, Token)),
        };

        Assert.All(faults, fault => Assert.NotNull(fault.InnerException));
        Assert.Contains("svc", faults[0].Message, StringComparison.Ordinal);
        Assert.InRange(started.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task AServerThatNeverAnswersTimesOutAsUnavailableNotAsCancellation()
    {
        await using var silent = new SilentServer();
        using var hanging = AwsClientFactory.DynamoDb(silent.Endpoint, DynaliteFixture.Region, TimeSpan.FromMilliseconds(300), DynaliteFixture.Credentials, maxErrorRetry: 0);
        var store = new DynamoDbCircuitStore(hanging, tableName);
        var started = System.Diagnostics.Stopwatch.StartNew();

        var fault = await Assert.ThrowsAsync<CircuitStoreUnavailableException>(() => store.GetAsync("svc", Token));

        Assert.NotNull(fault.InnerException);
        Assert.InRange(started.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task TheCallersCancellationPassesThroughUnchanged()
    {
        await using var silent = new SilentServer();
        using var hanging = AwsClientFactory.DynamoDb(silent.Endpoint, DynaliteFixture.Region, TimeSpan.FromSeconds(30), DynaliteFixture.Credentials, maxErrorRetry: 0);
        var store = new DynamoDbCircuitStore(hanging, tableName);
        using var caller = CancellationTokenSource.CreateLinkedTokenSource(Token);
        caller.CancelAfter(TimeSpan.FromMilliseconds(200));

        var cancelled = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.GetAsync("svc", caller.Token));

        Assert.IsNotType<CircuitStoreUnavailableException>(cancelled.InnerException);
    }

    private Task<bool> Record(string serviceId, string eventId, DateTimeOffset failedAt) =>
        store.RecordFailureAsync(new FailureRecord(serviceId, eventId, failedAt, failedAt + Window, FailureReasons.Timeout), Token);

    private async Task<int> CountAllItems(string serviceId)
    {
        var response = await client.QueryAsync(
            new QueryRequest
            {
                TableName = tableName,
                KeyConditionExpression = "pk = :pk",
                ExpressionAttributeValues = new() { [":pk"] = new AttributeValue { S = serviceId } },
                Select = Select.COUNT,
                ConsistentRead = true,
            },
            Token);
        return response.Count ?? 0;
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>Accepts connections and never answers, like a store that hangs.</summary>
    private sealed class SilentServer : IAsyncDisposable
    {
        private readonly TcpListener listener = new(IPAddress.Loopback, 0);
        private readonly List<TcpClient> accepted = [];
        private readonly CancellationTokenSource stop = new();
        private readonly Task acceptLoop;

        public SilentServer()
        {
            listener.Start();
            Endpoint = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/");
            acceptLoop = AcceptAsync();
        }

        public Uri Endpoint { get; }

        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            listener.Stop();
            try
            {
                await acceptLoop;
            }
            catch (OperationCanceledException)
            {
            }

            lock (accepted)
            {
                accepted.ForEach(c => c.Dispose());
            }

            stop.Dispose();
        }

        private async Task AcceptAsync()
        {
            while (!stop.IsCancellationRequested)
            {
                var client = await listener.AcceptTcpClientAsync(stop.Token);
                lock (accepted)
                {
                    accepted.Add(client);
                }
            }
        }
    }
}
