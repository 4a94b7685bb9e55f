using CircuitBreaker.Contract;
using CircuitBreaker.Core.Breaker;
using CircuitBreaker.Core.Store;
using CircuitBreaker.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace CircuitBreaker.Tests.Breaker;

public sealed class SuccessCounterTests
{
    private readonly FakeTimeProvider _time = TestClock.New();
    private readonly TestCircuitStore _store = new();
    private readonly CapturedLog _log;
    private readonly CircuitSettings _settings = TestSettings.Circuit(failureRatio: 0.1);

    public SuccessCounterTests() => _log = new CapturedLog(_time, "webservice");

    private SuccessCounter NewCounter(CircuitSettings? settings = null) => new(_store, (settings ?? _settings).ServiceId, (settings ?? _settings).Policy, _time, _log.Log);

    private async Task CountAsync(SuccessCounter counter, int calls, TimeSpan apart)
    {
        for (var i = 0; i < calls; i++)
        {
            var flush = counter.FlushIfDueAsync("req", CancellationToken.None);
            counter.CountSuccess();
            await flush;
            _time.Advance(apart);
        }
    }

    private void CountWithoutFlushing(SuccessCounter counter, int calls, TimeSpan apart)
    {
        for (var i = 0; i < calls; i++)
        {
            counter.CountSuccess();
            _time.Advance(apart);
        }
    }

    private long Stored => _store.SuccessWrites.Sum(write => write.Count);

    [Fact]
    public async Task InCountModeNothingIsCountedOrWritten()
    {
        var counter = NewCounter(TestSettings.Circuit());

        await CountAsync(counter, 200, TimeSpan.FromMilliseconds(100));

        Assert.Equal(0, counter.Pending);
        Assert.Empty(_store.SuccessWrites);
    }

    [Fact]
    public async Task ABusyInstanceWritesItsFirstBatchAtOnceThenAtMostOnceASecond()
    {
        var counter = NewCounter();

        await CountAsync(counter, 100, TimeSpan.FromMilliseconds(20));

        // The first 20 calls at 0.4 s, the 50 of the next second at 1.4 s; the last 30 wait.
        Assert.Equal([20, 50], _store.SuccessWrites.Select(write => write.Count));
        Assert.Equal(30, counter.Pending);
    }

    [Fact]
    public async Task TheCallsGoToTheBucketOfTheLatestOneWithAnExpiryPastTheWindow()
    {
        var counter = NewCounter();
        _time.Advance(TimeSpan.FromMilliseconds(400));
        CountWithoutFlushing(counter, 25, TimeSpan.FromMilliseconds(40));
        var latestCall = _time.GetUtcNow() - TimeSpan.FromMilliseconds(40);

        await counter.FlushIfDueAsync("req", CancellationToken.None);

        var write = Assert.Single(_store.SuccessWrites);
        Assert.Equal(25, write.Count);
        Assert.Equal(SuccessBuckets.StartOf(latestCall), write.BucketStart);
        Assert.NotEqual(SuccessBuckets.StartOf(latestCall - TimeSpan.FromMilliseconds(960)), write.BucketStart);
        Assert.Equal(_settings.ServiceId, write.ServiceId);
        Assert.Equal(write.BucketStart + SuccessBuckets.Size + _settings.Policy.Window + FailureRecorder.ExpirySlack, write.ExpiresAt);
    }

    [Fact]
    public async Task AQuietInstanceWaitsForABatchOrForTheLongestDelay()
    {
        var counter = NewCounter();
        Assert.Equal(TimeSpan.FromSeconds(5), counter.MaxDelay);

        await CountAsync(counter, 3, TimeSpan.FromSeconds(2));
        Assert.Empty(_store.SuccessWrites);

        await CountAsync(counter, 1, TimeSpan.Zero);
        Assert.Equal(3, Assert.Single(_store.SuccessWrites).Count);
    }

    [Theory]
    [InlineData(6, 1)]
    [InlineData(30, 2.5)]
    [InlineData(120, 5)]
    public void TheLongestDelayIsATwelfthOfTheWindowBetweenOneAndFiveSeconds(double windowSeconds, double expectedSeconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), NewCounter(TestSettings.Circuit(failureRatio: 0.5, windowSeconds: windowSeconds)).MaxDelay);
    }

    [Fact]
    public async Task AStoreFaultIsLoggedAndTheCallsWaitForTheNextWrite()
    {
        var counter = NewCounter();
        await CountAsync(counter, 60, TimeSpan.FromMilliseconds(20));
        _store.Unavailable = true;

        await CountAsync(counter, 60, TimeSpan.FromMilliseconds(20));
        var pendingDuringOutage = counter.Pending;
        _store.Unavailable = false;
        await CountAsync(counter, 60, TimeSpan.FromMilliseconds(20));

        // 20 written at 0.4 s; the write at 1.4 s failed, so its 50 were sent again, as they were, at 2.4 s; the 100
        // counted from 1.4 s on waited for the write after it, at 3.4 s.
        Assert.Equal(50, pendingDuringOutage);
        Assert.Equal([20, 50, 100], _store.SuccessWrites.Select(write => write.Count));
        Assert.Equal(10, counter.Pending);
        Assert.False(counter.HasUnsureFlush);
        Assert.Single(_log.Lines, line => line.GetProperty("level").GetString() == "WARN"
            && line.GetProperty("message").GetString() == "successful calls not confirmed added to the counter: the same flush is sent again");
    }

    [Fact]
    public async Task AWriteSlowerThanItsBudgetIsAbandonedAndSentAgainAsItWas()
    {
        var counter = NewCounter();
        CountWithoutFlushing(counter, 30, TimeSpan.FromMilliseconds(40));
        var hold = new TaskCompletionSource();
        _store.HoldSuccessWrites = hold.Task;

        var flush = counter.FlushIfDueAsync("req", CancellationToken.None);
        Assert.False(flush.IsCompleted);
        _time.Advance(SuccessCounter.FlushBudget);
        await flush;

        Assert.Empty(_store.SuccessWrites);
        Assert.Equal(0, counter.Pending);
        Assert.True(counter.HasUnsureFlush);
        _store.HoldSuccessWrites = null;
        hold.SetResult();
        _time.Advance(SuccessCounter.FlushInterval);
        await counter.FlushIfDueAsync("req", CancellationToken.None);
        Assert.Equal(30, Assert.Single(_store.SuccessWrites).Count);
        Assert.False(counter.HasUnsureFlush);
    }

    [Fact]
    public async Task AFlushAppliedWhoseAnswerIsLostIsSentAgainWithItsIdAndCountsOnce()
    {
        var counter = NewCounter();
        CountWithoutFlushing(counter, 30, TimeSpan.FromMilliseconds(40));
        _store.LoseSuccessAnswers = 1;

        await counter.FlushIfDueAsync("req-1", CancellationToken.None);
        CountWithoutFlushing(counter, 25, TimeSpan.FromMilliseconds(40));
        await counter.FlushIfDueAsync("req-2", CancellationToken.None);
        var storedAfterResend = _store.StoredSuccesses(_settings.ServiceId);
        _time.Advance(SuccessCounter.FlushInterval);
        await counter.FlushIfDueAsync("req-3", CancellationToken.None);

        // The first write was applied; its resend (same id) added nothing; the 25 counted meanwhile went next.
        Assert.Equal(30, storedAfterResend);
        Assert.Equal(55, _store.StoredSuccesses(_settings.ServiceId));
        Assert.Equal([30, 25], _store.SuccessWrites.Select(write => write.Count));
        Assert.Equal(0, counter.Pending);
    }

    [Fact]
    public async Task AnUnsureFlushIsGivenUpOnceItsSecondHasLeftTheWindowAndTheNewCallsGoOut()
    {
        var counter = NewCounter();
        CountWithoutFlushing(counter, 30, TimeSpan.FromMilliseconds(40));
        _store.Unavailable = true;
        await counter.FlushIfDueAsync("req-1", CancellationToken.None);
        _store.Unavailable = false;
        _time.Advance(_settings.Policy.Window + SuccessBuckets.Size);
        CountWithoutFlushing(counter, 20, TimeSpan.Zero);

        await counter.FlushIfDueAsync("req-2", CancellationToken.None);

        Assert.Equal(20, Assert.Single(_store.SuccessWrites).Count);
        Assert.False(counter.HasUnsureFlush);
        Assert.Single(_log.WithMessage("successful calls given up: their flush's outcome is unknown and their second has left the window"));
    }

    [Fact]
    public async Task TheCallersCancellationAbandonsTheWriteWithoutThrowing()
    {
        var counter = NewCounter();
        CountWithoutFlushing(counter, 30, TimeSpan.FromMilliseconds(40));
        _store.HoldSuccessWrites = new TaskCompletionSource().Task;
        using var invocation = new CancellationTokenSource();

        var flush = counter.FlushIfDueAsync("req", invocation.Token);
        Assert.False(flush.IsCompleted);
        await invocation.CancelAsync();
        await flush;

        Assert.Equal(0, counter.Pending);
        Assert.True(counter.HasUnsureFlush);
    }

    [Fact]
    public async Task OneWriteAtATimeAndNoneBeforeTheIntervalHasPassed()
    {
        var counter = NewCounter();
        CountWithoutFlushing(counter, 30, TimeSpan.FromMilliseconds(40));
        var hold = new TaskCompletionSource();
        _store.HoldSuccessWrites = hold.Task;
        var first = counter.FlushIfDueAsync("req-1", CancellationToken.None);
        CountWithoutFlushing(counter, 30, TimeSpan.Zero);

        var second = counter.FlushIfDueAsync("req-2", CancellationToken.None);
        Assert.True(second.IsCompleted);
        _store.HoldSuccessWrites = null;
        hold.SetResult();
        await first;

        Assert.Equal(30, Assert.Single(_store.SuccessWrites).Count);
        Assert.Equal(30, counter.Pending);
    }

    /// <summary>
    /// The cost and lateness of counting: requests at <paramref name="requestsPerSecond"/> for a minute, spread round robin
    /// over <paramref name="instances"/> instances (each one invocation at a time, as Lambda runs them).
    /// </summary>
    private async Task<(int Requests, int Writes, TimeSpan LongestWait)> SimulateAsync(int requestsPerSecond, int instances)
    {
        var counters = Enumerable.Range(0, instances).Select(_ => NewCounter()).ToArray();
        var waiting = counters.Select(_ => new List<DateTimeOffset>()).ToArray();
        var longestWait = TimeSpan.Zero;
        var requests = requestsPerSecond * 60;
        var apart = TimeSpan.FromSeconds(1.0 / requestsPerSecond);
        for (var request = 0; request < requests; request++)
        {
            var instance = request % instances;
            var writesBefore = _store.SuccessWrites.Count;
            var flush = counters[instance].FlushIfDueAsync($"req-{request}", CancellationToken.None);
            counters[instance].CountSuccess();
            await flush;
            if (_store.SuccessWrites.Count > writesBefore)
            {
                // The write held every call counted before this invocation; this one's waits for the next.
                var oldest = waiting[instance][0];
                longestWait = _time.GetUtcNow() - oldest > longestWait ? _time.GetUtcNow() - oldest : longestWait;
                waiting[instance].Clear();
            }

            waiting[instance].Add(_time.GetUtcNow());
            _time.Advance(apart);
        }

        Assert.Equal(requests, Stored + counters.Sum(c => c.Pending));
        return (requests, _store.SuccessWrites.Count, longestWait);
    }

    [Fact]
    public async Task AtFiftyRequestsASecondOnOneInstanceCountingCostsAFiftiethOfAWritePerRequestAndLagsAboutASecond()
    {
        var (requests, writes, longestWait) = await SimulateAsync(50, instances: 1);

        TestContext.Current.SendDiagnosticMessage($"1 instance, 50 req/s: {writes} writes for {requests} requests = {(double)writes / requests:0.###} per request; longest wait {longestWait.TotalMilliseconds} ms");
        Assert.Equal(60, writes);
        Assert.InRange((double)writes / requests, 0, 0.05);
        Assert.Equal(TimeSpan.FromSeconds(1), longestWait);
    }

    [Theory]
    [InlineData(2, 0.04, 1000)]
    [InlineData(5, 0.05, 2000)]
    [InlineData(10, 0.05, 4000)]
    [InlineData(25, 0.1, 5000)]
    public async Task SpreadOverMoreInstancesEachWritesPerBatchOrAfterTheLongestDelay(int instances, double maxWritesPerRequest, double longestWaitMs)
    {
        var (requests, writes, longestWait) = await SimulateAsync(50, instances);

        TestContext.Current.SendDiagnosticMessage($"{instances} instances, 50 req/s: {writes} writes for {requests} requests = {(double)writes / requests:0.###} per request; longest wait {longestWait.TotalMilliseconds} ms");
        Assert.InRange((double)writes / requests, 0.001, maxWritesPerRequest);
        Assert.InRange(longestWait.TotalMilliseconds, 0, longestWaitMs);
    }
}
