using Amazon.DynamoDBv2;
using CircuitBreaker.Aws.DynamoDb;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Breaker;
using CircuitBreaker.Core.Store;
using CircuitBreaker.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace CircuitBreaker.Tests.Breaker;

/// <summary>Failures dated in the future, through the real store (dynalite): their sort keys are where the window looks.</summary>
[Collection(DynaliteTests.Name)]
public sealed class FutureFailuresOnDynamoDbTests(DynaliteFixture dynalite) : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = TestClock.New();
    private readonly CircuitSettings _settings = TestSettings.Circuit();
    private readonly IAmazonDynamoDB _client = dynalite.CreateClient();
    private DynamoDbCircuitStore _store = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _store = new DynamoDbCircuitStore(_client, await dynalite.CreateTableAsync(_client, Token));

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }

    private FailureRecorder NewRecorder() => new(_store, _settings.Policy, _time, new CapturedLog(_time, "recorder").Log);

    private FailureEventDetail Failure(TimeSpan ahead = default) =>
        new(_settings.ServiceId, (_time.GetUtcNow() + ahead).ToUnixTimeMilliseconds(), FailureReasons.Timeout, null, "req", 10_000);

    [Fact]
    public async Task ForgedFutureFailuresNeitherOpenTheCircuitAfterTheWindowNorSurviveAClose()
    {
        var recorder = NewRecorder();
        await recorder.RecordAsync("forged-1", Failure(TimeSpan.FromDays(30)), Token);
        await recorder.RecordAsync("forged-2", Failure(TimeSpan.FromDays(30)), Token);

        // A probe closes the circuit a second later (the webservice's conditional writes, as in production).
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(await _store.TryOpenAsync(_settings.ServiceId, 0, _time.GetUtcNow(), Token));
        Assert.True(await _store.TryAcquireProbeAsync(_settings.ServiceId, "probe", _time.GetUtcNow(), _time.GetUtcNow() + TimeSpan.FromSeconds(10), Token));
        Assert.True(await _store.TryCloseAsync(_settings.ServiceId, "probe", _time.GetUtcNow(), Token));
        _time.Advance(TimeSpan.FromSeconds(1));

        var afterClose = await recorder.RecordAsync("real", Failure(), Token);

        Assert.Equal(1, afterClose.FailuresInWindow);
        Assert.False(afterClose.Opened);
        Assert.Equal(CircuitStatus.Closed, (await _store.GetAsync(_settings.ServiceId, Token)).Status);
    }

    [Fact]
    public async Task AFutureFailureCountsAsOneThatJustHappened()
    {
        var recorder = NewRecorder();
        await recorder.RecordAsync("real-1", Failure(), Token);
        await recorder.RecordAsync("real-2", Failure(), Token);

        var third = await recorder.RecordAsync("ahead", Failure(TimeSpan.FromHours(2)), Token);

        Assert.True(third.Opened);
    }
}
