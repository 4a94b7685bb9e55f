using CircuitBreaker.Contract;
using CircuitBreaker.Core.Breaker;
using CircuitBreaker.Core.Store;
using CircuitBreaker.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace CircuitBreaker.Tests.Breaker;

public sealed class FailureRecorderTests
{
    private readonly FakeTimeProvider _time = TestClock.New();
    private readonly TestCircuitStore _store = new();
    private readonly CapturedLog _log;
    private readonly CircuitSettings _settings = TestSettings.Circuit();

    public FailureRecorderTests() => _log = new CapturedLog(_time, "recorder");

    private FailureRecorder NewRecorder(CircuitSettings? settings = null) => new(_store, (settings ?? _settings).Policy, _time, _log.Log);

    private Task AddSuccessesAsync(long count, TimeSpan ago = default) => _store.AddSuccessesAtAsync(_settings.ServiceId, _time.GetUtcNow() - ago, count);

    private FailureEventDetail Failure(TimeSpan ago = default) =>
        new(_settings.ServiceId, (_time.GetUtcNow() - ago).ToUnixTimeMilliseconds(), FailureReasons.Timeout, null, "req", 10_000);

    private Task<CircuitRecord> State() => _store.GetAsync(_settings.ServiceId, CancellationToken.None);

    [Fact]
    public async Task FailuresBelowTheThresholdLeaveTheCircuitClosed()
    {
        var recorder = NewRecorder();

        await recorder.RecordAsync("e1", Failure(), CancellationToken.None);
        var outcome = await recorder.RecordAsync("e2", Failure(), CancellationToken.None);

        Assert.Equal(new RecordingOutcome(true, 2, false), outcome);
        Assert.Equal(CircuitStatus.Closed, (await State()).Status);
    }

    [Fact]
    public async Task TheThresholdthFailureWithinTheWindowOpensTheCircuitForTheOpenPeriod()
    {
        var recorder = NewRecorder();
        await recorder.RecordAsync("e1", Failure(), CancellationToken.None);
        await recorder.RecordAsync("e2", Failure(), CancellationToken.None);

        var outcome = await recorder.RecordAsync("e3", Failure(), CancellationToken.None);

        Assert.True(outcome.Opened);
        var state = await State();
        Assert.Equal(CircuitStatus.Open, state.Status);
        Assert.Equal(_time.GetUtcNow() + _settings.Policy.OpenDuration, state.OpenUntil);
        var transition = Assert.Single(_log.WithMessage(TransitionLog.Message));
        Assert.Equal("closed", transition.GetProperty("from").GetString());
        Assert.Equal("open", transition.GetProperty("to").GetString());
        Assert.Contains("3 failures", transition.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARedeliveredEventCountsOnce()
    {
        var recorder = NewRecorder();
        var failure = Failure();
        await recorder.RecordAsync("e1", failure, CancellationToken.None);
        await recorder.RecordAsync("e2", Failure(), CancellationToken.None);

        var redelivery = await recorder.RecordAsync("e2", Failure(), CancellationToken.None);

        Assert.False(redelivery.Stored);
        Assert.Equal(2, redelivery.FailuresInWindow);
        Assert.Equal(CircuitStatus.Closed, (await State()).Status);
        Assert.Equal(2, _store.Failures.Count);
    }

    [Fact]
    public async Task FailuresOlderThanTheWindowNeverCountEvenIfTtlHasNotDeletedThem()
    {
        var recorder = NewRecorder();
        await recorder.RecordAsync("old1", Failure(), CancellationToken.None);
        await recorder.RecordAsync("old2", Failure(), CancellationToken.None);
        _time.Advance(_settings.Policy.Window + TimeSpan.FromMilliseconds(1));

        var outcome = await recorder.RecordAsync("new", Failure(), CancellationToken.None);

        Assert.Equal(3, _store.Failures.Count);
        Assert.Equal(1, outcome.FailuresInWindow);
        Assert.False(outcome.Opened);
    }

    [Fact]
    public async Task FailuresFromBeforeTheCircuitLastClosedNoLongerCount()
    {
        var recorder = NewRecorder();
        await recorder.RecordAsync("e1", Failure(), CancellationToken.None);
        await recorder.RecordAsync("e2", Failure(), CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(1));
        _store.Seed(CircuitRecord.InitiallyClosed(_settings.ServiceId) with { ClosedAt = _time.GetUtcNow(), Version = 4 });

        var outcome = await recorder.RecordAsync("e3", Failure(), CancellationToken.None);

        Assert.Equal(1, outcome.FailuresInWindow);
        Assert.False(outcome.Opened);
    }

    [Fact]
    public async Task ALateDeliveryOfAnOldFailureCannotOpenTheCircuit()
    {
        var recorder = NewRecorder();
        await recorder.RecordAsync("e1", Failure(), CancellationToken.None);
        await recorder.RecordAsync("e2", Failure(), CancellationToken.None);

        var late = await recorder.RecordAsync("e0", Failure(ago: _settings.Policy.Window + TimeSpan.FromSeconds(5)), CancellationToken.None);

        Assert.True(late.Stored);
        Assert.Null(late.FailuresInWindow);
        Assert.False(late.Opened);
    }

    [Fact]
    public async Task FailuresWhileOpenAreStoredButDoNotExtendTheOpenPeriod()
    {
        var openUntil = _time.GetUtcNow() + TimeSpan.FromSeconds(20);
        _store.Seed(CircuitRecord.InitiallyClosed(_settings.ServiceId) with { Status = CircuitStatus.Open, OpenUntil = openUntil, Version = 1 });

        var outcome = await NewRecorder().RecordAsync("e1", Failure(), CancellationToken.None);

        Assert.True(outcome.Stored);
        Assert.False(outcome.Opened);
        Assert.Equal(openUntil, (await State()).OpenUntil);
    }

    [Fact]
    public async Task ConcurrentRecordersOpenTheCircuitOnce()
    {
        await NewRecorder().RecordAsync("e1", Failure(), CancellationToken.None);
        await NewRecorder().RecordAsync("e2", Failure(), CancellationToken.None);

        var outcomes = await Task.WhenAll(Enumerable.Range(3, 10).Select(i => Task.Run(() => NewRecorder().RecordAsync($"e{i}", Failure(), CancellationToken.None))));

        Assert.Single(outcomes, o => o.Opened);
        Assert.Single(_log.WithMessage(TransitionLog.Message));
    }

    [Fact]
    public async Task AStoreFaultPropagatesSoThatTheEventIsRetried()
    {
        _store.Unavailable = true;

        await Assert.ThrowsAsync<CircuitStoreUnavailableException>(() => NewRecorder().RecordAsync("e1", Failure(), CancellationToken.None));
    }

    [Fact]
    public async Task AFailureDatedBeyondTheAllowanceIsRecordedNowExpiresOneWindowFromNowAndIsAWarning()
    {
        var outcome = await NewRecorder().RecordAsync("forged", Failure(ago: -TimeSpan.FromHours(1)), CancellationToken.None);

        var stored = Assert.Single(_store.Failures);
        Assert.Equal(_time.GetUtcNow(), stored.FailedAt);
        Assert.Equal(_time.GetUtcNow() + _settings.Policy.Window + FailureRecorder.ExpirySlack, stored.ExpiresAt);
        Assert.Equal(1, outcome.FailuresInWindow);
        var warning = Assert.Single(_log.WithMessage(FailureRecorder.FutureFailureMessage));
        Assert.Equal("WARN", warning.GetProperty("level").GetString());
        Assert.Equal("forged", warning.GetProperty("eventId").GetString());
    }

    [Fact]
    public async Task AFailureAheadWithinTheAllowanceIsRecordedNowWithoutAWarning()
    {
        await NewRecorder().RecordAsync("skewed", Failure(ago: -(FailureTime.ClockSkewAllowance - TimeSpan.FromSeconds(1))), CancellationToken.None);

        Assert.Equal(_time.GetUtcNow(), Assert.Single(_store.Failures).FailedAt);
        Assert.Empty(_log.WithMessage(FailureRecorder.FutureFailureMessage));
    }

    [Fact]
    public async Task FutureFailuresStopCountingOnceTheWindowHasPassed()
    {
        var recorder = NewRecorder();
        await recorder.RecordAsync("f1", Failure(ago: -TimeSpan.FromDays(1)), CancellationToken.None);
        await recorder.RecordAsync("f2", Failure(ago: -TimeSpan.FromDays(1)), CancellationToken.None);
        _time.Advance(_settings.Policy.Window + TimeSpan.FromMilliseconds(1));

        var outcome = await recorder.RecordAsync("real", Failure(), CancellationToken.None);

        Assert.Equal(1, outcome.FailuresInWindow);
        Assert.False(outcome.Opened);
    }

    [Fact]
    public async Task FutureFailuresDoNotOutliveAClosingProbe()
    {
        var recorder = NewRecorder();
        await recorder.RecordAsync("f1", Failure(ago: -TimeSpan.FromDays(1)), CancellationToken.None);
        await recorder.RecordAsync("f2", Failure(ago: -TimeSpan.FromDays(1)), CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(1));
        _store.Seed(CircuitRecord.InitiallyClosed(_settings.ServiceId) with { ClosedAt = _time.GetUtcNow(), Version = 4 });
        _time.Advance(TimeSpan.FromSeconds(1));

        var outcome = await recorder.RecordAsync("after-close", Failure(), CancellationToken.None);

        Assert.Equal(1, outcome.FailuresInWindow);
        Assert.False(outcome.Opened);
    }

    [Theory]
    [InlineData(long.MaxValue)]
    [InlineData(9_000_000_000_000_000)]
    [InlineData(253_402_300_800_000)]
    public async Task AFailureDatedBeyondAnyRepresentableTimeCountsOnceNowWithTheSkewWarning(long failedAtEpochMs)
    {
        var recorder = NewRecorder();
        var failure = Failure() with { FailedAtEpochMilliseconds = failedAtEpochMs };

        var first = await recorder.RecordAsync("absurd", failure, _time.GetUtcNow(), CancellationToken.None);
        var redelivery = await recorder.RecordAsync("absurd", failure, _time.GetUtcNow(), CancellationToken.None);

        Assert.True(first.Stored);
        Assert.False(redelivery.Stored);
        Assert.Equal(1, redelivery.FailuresInWindow);
        var stored = Assert.Single(_store.Failures);
        Assert.Equal(_time.GetUtcNow(), stored.FailedAt);
        Assert.Equal(_time.GetUtcNow() + _settings.Policy.Window + FailureRecorder.ExpirySlack, stored.ExpiresAt);
        Assert.Equal(2, _log.WithMessage(FailureRecorder.FutureFailureMessage).Count);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(long.MinValue)]
    public async Task AFailureDatedAtOrBeforeTheEpochCountsNowWithAWarning(long failedAtEpochMs)
    {
        var outcome = await NewRecorder().RecordAsync("impossible", Failure() with { FailedAtEpochMilliseconds = failedAtEpochMs }, CancellationToken.None);

        Assert.Equal(_time.GetUtcNow(), Assert.Single(_store.Failures).FailedAt);
        Assert.Equal(1, outcome.FailuresInWindow);
        Assert.Equal("WARN", Assert.Single(_log.WithMessage(FailureRecorder.ImpossibleDateMessage)).GetProperty("level").GetString());
    }

    [Fact]
    public async Task AFailureDatedAfterItsOwnEventIsRecordedAtTheEventsTime()
    {
        var eventTime = _time.GetUtcNow() - TimeSpan.FromMinutes(10);

        var outcome = await NewRecorder().RecordAsync("late", Failure(ago: -TimeSpan.FromHours(1)), eventTime, CancellationToken.None);

        Assert.Equal(eventTime, Assert.Single(_store.Failures).FailedAt);
        Assert.Null(outcome.FailuresInWindow);
        Assert.Single(_log.WithMessage(FailureRecorder.FutureFailureMessage));
    }

    [Fact]
    public async Task FailuresStoredWithAFutureDateBeforeThisFixDoNotCount()
    {
        var ahead = _time.GetUtcNow() + TimeSpan.FromHours(1);
        _store.SeedFailure(new FailureRecord(_settings.ServiceId, "old-1", ahead, ahead + _settings.Policy.Window, FailureReasons.Timeout));
        _store.SeedFailure(new FailureRecord(_settings.ServiceId, "old-2", ahead, ahead + _settings.Policy.Window, FailureReasons.Timeout));

        var outcome = await NewRecorder().RecordAsync("real", Failure(), CancellationToken.None);

        Assert.Equal(1, outcome.FailuresInWindow);
        Assert.False(outcome.Opened);
    }

    [Fact]
    public async Task InRatioModeTheFailureThatTakesTheRatioToTheSettingWithEnoughCallsOpens()
    {
        var settings = TestSettings.Circuit(threshold: 3, failureRatio: 0.1, minimumThroughput: 100);
        var recorder = NewRecorder(settings);
        await AddSuccessesAsync(90);
        var outcomes = new List<RecordingOutcome>();

        for (var i = 1; i <= 10; i++)
        {
            outcomes.Add(await recorder.RecordAsync($"e{i}", Failure(), CancellationToken.None));
        }

        Assert.All(outcomes.Take(9), outcome => Assert.False(outcome.Opened));
        Assert.Equal(new RecordingOutcome(true, 9, false, 99), outcomes[8]);
        Assert.Equal(new RecordingOutcome(true, 10, true, 100), outcomes[9]);
        Assert.Equal(CircuitStatus.Open, (await State()).Status);
        var transition = Assert.Single(_log.WithMessage(TransitionLog.Message));
        Assert.StartsWith("10 of 100 calls failed within 60 s", transition.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task InRatioModeASmallErrorRateNeverOpensWhateverTheNumberOfFailures()
    {
        var settings = TestSettings.Circuit(threshold: 3, failureRatio: 0.1, minimumThroughput: 100);
        var recorder = NewRecorder(settings);
        await AddSuccessesAsync(2000);

        for (var i = 1; i <= 50; i++)
        {
            await recorder.RecordAsync($"e{i}", Failure(), CancellationToken.None);
        }

        Assert.Equal(CircuitStatus.Closed, (await State()).Status);
        Assert.Empty(_log.WithMessage(TransitionLog.Message));
    }

    [Fact]
    public async Task InRatioModeARedeliveredEventCountsOnce()
    {
        var settings = TestSettings.Circuit(failureRatio: 0.5, minimumThroughput: 4);
        var recorder = NewRecorder(settings);
        await AddSuccessesAsync(2);
        await recorder.RecordAsync("e1", Failure(), CancellationToken.None);

        var redelivered = await recorder.RecordAsync("e1", Failure(), CancellationToken.None);

        Assert.Equal(new RecordingOutcome(false, 1, false, 3), redelivered);
    }

    [Fact]
    public async Task InRatioModeCallsFromBeforeTheCircuitLastClosedNoLongerCount()
    {
        var settings = TestSettings.Circuit(failureRatio: 0.5, minimumThroughput: 4);
        await AddSuccessesAsync(1000, ago: TimeSpan.FromSeconds(5));
        _store.Seed(CircuitRecord.InitiallyClosed(_settings.ServiceId) with { ClosedAt = _time.GetUtcNow(), Version = 4 });
        var recorder = NewRecorder(settings);
        await AddSuccessesAsync(1);
        await recorder.RecordAsync("e1", Failure(), CancellationToken.None);
        await recorder.RecordAsync("e2", Failure(), CancellationToken.None);

        var outcome = await recorder.RecordAsync("e3", Failure(), CancellationToken.None);

        Assert.Equal(new RecordingOutcome(true, 3, true, 4), outcome);
    }

    [Fact]
    public async Task ASlowCallCountsLikeAnyFailure()
    {
        var recorder = NewRecorder();
        await recorder.RecordAsync("e1", Failure() with { Reason = FailureReasons.Slow }, CancellationToken.None);
        await recorder.RecordAsync("e2", Failure() with { Reason = FailureReasons.Slow }, CancellationToken.None);

        var outcome = await recorder.RecordAsync("e3", Failure() with { Reason = FailureReasons.Slow }, CancellationToken.None);

        Assert.True(outcome.Opened);
    }
}
