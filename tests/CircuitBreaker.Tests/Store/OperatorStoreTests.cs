using Amazon.DynamoDBv2;
using CircuitBreaker.Aws.DynamoDb;
using CircuitBreaker.Core.Store;
using CircuitBreaker.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace CircuitBreaker.Tests.Store;

/// <summary>The store's operator writes (isolate, force close, list) on dynalite.</summary>
[Collection(DynaliteTests.Name)]
public sealed class OperatorStoreTests(DynaliteFixture dynalite) : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly IAmazonDynamoDB _client = dynalite.CreateClient();
    private readonly FakeTimeProvider _time = new(Now);
    private DynamoDbCircuitStore _store = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() =>
        _store = new DynamoDbCircuitStore(_client, await dynalite.CreateTableAsync(_client, Token), _time);

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task IsolatingCreatesOrOverridesTheStateOnceAndBlocksEveryOtherTransition()
    {
        var before = await _store.IsolateAsync("svc", Token);
        var again = await _store.IsolateAsync("svc", Token);

        Assert.Equal(CircuitRecord.InitiallyClosed("svc"), before);
        Assert.Null(again);
        var isolated = await _store.GetAsync("svc", Token);
        Assert.Equal((CircuitStatus.Isolated, 1L, Now), (isolated.Status, isolated.Version, isolated.ChangedAt));
        Assert.False(await _store.TryOpenAsync("svc", isolated.Version, Now.AddMinutes(1), Token));
        Assert.False(await _store.TryAcquireProbeAsync("svc", "probe", Now.AddHours(1), Now.AddHours(2), Token));
        Assert.False(await _store.TryCloseAsync("svc", "probe", Now, Token));
        Assert.False(await _store.TryReopenAsync("svc", "probe", Now, 1, Token));
        Assert.Equal(CircuitStatus.Isolated, (await _store.GetAsync("svc", Token)).Status);
    }

    [Fact]
    public async Task IsolatingAnOpenCircuitDropsItsOpenPeriodAndProbeLease()
    {
        await _store.TryOpenAsync("svc", 0, Now.AddMinutes(1), Token);
        await _store.TryAcquireProbeAsync("svc", "probe", Now.AddMinutes(2), Now.AddMinutes(3), Token);

        var before = await _store.IsolateAsync("svc", Token);

        Assert.Equal(CircuitStatus.HalfOpen, before!.Status);
        var isolated = await _store.GetAsync("svc", Token);
        Assert.Equal((CircuitStatus.Isolated, (DateTimeOffset?)null, (string?)null, 3L), (isolated.Status, isolated.OpenUntil, isolated.ProbeOwner, isolated.Version));
    }

    [Fact]
    public async Task ForceCloseReleasesAnyStateAndMarksWhenFailuresStartCounting()
    {
        await _store.IsolateAsync("svc", Token);
        _time.Advance(TimeSpan.FromMinutes(1));

        var before = await _store.ForceCloseAsync("svc", _time.GetUtcNow(), Token);

        Assert.Equal(CircuitStatus.Isolated, before.Status);
        var closed = await _store.GetAsync("svc", Token);
        Assert.Equal((CircuitStatus.Closed, _time.GetUtcNow(), 2L), (closed.Status, closed.ClosedAt, closed.Version));

        // The recorder's conditional open works again from the new version.
        Assert.True(await _store.TryOpenAsync("svc", closed.Version, Now.AddMinutes(5), Token));
    }

    [Fact]
    public async Task IsolatingAndForceClosingForgetTheFailedProbesSoBackoffStartsAgain()
    {
        await _store.TryOpenAsync("svc", 0, Now, Token);
        await _store.TryAcquireProbeAsync("svc", "probe", Now, Now.AddMinutes(1), Token);
        await _store.TryReopenAsync("svc", "probe", Now.AddMinutes(1), 3, Token);
        Assert.Equal(3, (await _store.GetAsync("svc", Token)).FailedProbes);

        await _store.IsolateAsync("svc", Token);
        var isolated = await _store.GetAsync("svc", Token);
        await _store.ForceCloseAsync("svc", Now, Token);

        Assert.Equal(0, isolated.FailedProbes);
        Assert.Equal(0, (await _store.GetAsync("svc", Token)).FailedProbes);
    }

    [Fact]
    public async Task ServicesAreListedOnceEachWhetherTheyHaveStateOrOnlyFailures()
    {
        await _store.IsolateAsync("b", Token);
        await _store.RecordFailureAsync(new FailureRecord("a", "e1", Now, Now.AddMinutes(2), "timeout"), Token);
        await _store.RecordFailureAsync(new FailureRecord("a", "e2", Now, Now.AddMinutes(2), "timeout"), Token);

        Assert.Equal(["a", "b"], await _store.ListServicesAsync(Token));
    }
}
