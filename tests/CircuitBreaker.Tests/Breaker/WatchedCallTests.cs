using CircuitBreaker.Core.Breaker;
using Microsoft.Extensions.Time.Testing;

namespace CircuitBreaker.Tests.Breaker;

/// <summary>
/// The slow-call mechanism shared by the webservice (<c>SlowCallWatch</c>) and the Polly strategy; each caller's
/// own tests (Handlers/SlowCallWatchTests, Polly/SlowCallTests) cover what it reports and when.
/// </summary>
public sealed class WatchedCallTests
{
    private static readonly TimeSpan Threshold = TimeSpan.FromSeconds(1);

    private readonly FakeTimeProvider _time = new();
    private int _reports;

    private Task<bool> CountReport() => Task.FromResult(Interlocked.Increment(ref _reports) > 0);

    [Fact]
    public async Task TheTimerReportsOnceAndTheEndSaysSo()
    {
        var call = new WatchedCall(_time, Threshold, CountReport);

        _time.Advance(Threshold - TimeSpan.FromTicks(1));
        Assert.Equal(0, _reports);
        _time.Advance(TimeSpan.FromTicks(1));
        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.True(await call.EndAsync());
        Assert.Equal(1, _reports);
    }

    [Fact]
    public async Task AnEndedCallIsNeverReported()
    {
        var call = new WatchedCall(_time, Threshold, CountReport);

        Assert.False(await call.EndAsync());
        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(0, _reports);
    }

    [Fact]
    public async Task TheUnwatchedCallIsNeverReported()
    {
        Assert.False(await WatchedCall.Unwatched.EndAsync());
        Assert.False(await WatchedCall.Unwatched.EndAsync());
    }

    [Fact]
    public void AnAbandonedCallIsNeverReported()
    {
        using var invocation = new CancellationTokenSource();
        _ = new WatchedCall(_time, Threshold, CountReport, invocation.Token);

        invocation.Cancel();
        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(0, _reports);
    }

    [Fact]
    public void ACallAbandonedBeforeItsWatchStartsIsNeverReported()
    {
        using var invocation = new CancellationTokenSource();
        invocation.Cancel();
        _ = new WatchedCall(_time, Threshold, CountReport, invocation.Token);

        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(0, _reports);
    }

    [Fact]
    public async Task AbandoningAfterTheReportStartedChangesNothing()
    {
        using var invocation = new CancellationTokenSource();
        var call = new WatchedCall(_time, Threshold, CountReport, invocation.Token);
        _time.Advance(Threshold);

        invocation.Cancel();

        Assert.True(await call.EndAsync());
        Assert.Equal(1, _reports);
    }

    [Fact]
    public async Task AReportThatWasNotMadeLeavesTheFailureToTheEnd()
    {
        var call = new WatchedCall(_time, Threshold, () => Task.FromResult(false));

        _time.Advance(Threshold);

        Assert.False(await call.EndAsync());
    }

    [Fact]
    public async Task AReportThatThrowsCountsAsNotMade()
    {
        var call = new WatchedCall(_time, Threshold, () => Task.FromException<bool>(new InvalidOperationException("boom")));

        _time.Advance(Threshold);

        Assert.False(await call.EndAsync());
    }

    [Fact]
    public async Task TheEndWaitsForAReportInFlight()
    {
        var report = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var call = new WatchedCall(_time, Threshold, () => report.Task);
        _time.Advance(Threshold);

        var end = call.EndAsync();
        await Task.Delay(20, TestContext.Current.CancellationToken);
        Assert.False(end.IsCompleted);

        report.SetResult(true);
        Assert.True(await end);
    }

    [Fact]
    public async Task EndAndTimerRacingOnAFakeClockReportAtMostOnceAndAgreeOnWhetherItHappened()
    {
        for (var round = 0; round < 200; round++)
        {
            var reports = 0;
            var call = new WatchedCall(_time, Threshold, () => Task.FromResult(Interlocked.Increment(ref reports) > 0));

            // The timer fires on the thread that advances the clock, while this one ends the call.
            using var go = new Barrier(2);
            var advance = Task.Run(() =>
            {
                go.SignalAndWait(TestContext.Current.CancellationToken);
                _time.Advance(Threshold);
            }, TestContext.Current.CancellationToken);
            go.SignalAndWait(TestContext.Current.CancellationToken);
            var reportedAsSlow = await call.EndAsync();
            await advance;
            _time.Advance(TimeSpan.FromSeconds(5));

            Assert.Equal(reportedAsSlow ? 1 : 0, reports);
        }
    }

    [Fact]
    public async Task EndAndTimerRacingOnTheSystemClockReportAtMostOnceAndAgreeOnWhetherItHappened()
    {
        for (var round = 0; round < 200; round++)
        {
            var reports = 0;
            var call = new WatchedCall(TimeProvider.System, TimeSpan.FromMilliseconds(1), () => Task.FromResult(Interlocked.Increment(ref reports) > 0));
            await Task.Delay(round % 3, TestContext.Current.CancellationToken);

            var reportedAsSlow = await call.EndAsync();
            await Task.Delay(5, TestContext.Current.CancellationToken);

            Assert.Equal(reportedAsSlow ? 1 : 0, reports);
        }
    }
}
