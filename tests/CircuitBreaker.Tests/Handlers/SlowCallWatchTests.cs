using CircuitBreaker.Contract;
using CircuitBreaker.Core.Breaker;
using CircuitBreaker.Functions.Handlers;
using CircuitBreaker.Core.Events;
using CircuitBreaker.Functions.Runtime;
using CircuitBreaker.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace CircuitBreaker.Tests.Handlers;

public sealed class SlowCallWatchTests
{
    private static readonly TimeSpan Threshold = TimeSpan.FromSeconds(2);

    private readonly FakeTimeProvider _time = TestClock.New();
    private readonly CapturedLog _log;
    private readonly CircuitSettings _settings = TestSettings.Circuit(timeoutSeconds: 10, slowCallSeconds: Threshold.TotalSeconds);

    public SlowCallWatchTests() => _log = new CapturedLog(_time, "webservice");

    private static readonly TimeSpan PublishBudget = TimeSpan.FromSeconds(1);

    private SlowCallWatch NewWatch(IFailurePublisher publisher, CircuitSettings? settings = null) => new(publisher, settings ?? _settings, _time, _log.Log, PublishBudget);

    private LambdaInvocation Invocation(TimeSpan? remaining = null) => Invocations.Of("{}", _time, remaining ?? TimeSpan.FromSeconds(12), requestId: "req-1");

    [Fact]
    public async Task ACallStillPendingAtTheThresholdIsPublishedThenAsSlowAndOnlyOnce()
    {
        var publisher = new RecordingFailurePublisher();
        var call = NewWatch(publisher).Watch(Invocation(), CircuitView.Closed, CancellationToken.None);
        var slowAt = _time.GetUtcNow() + Threshold;

        _time.Advance(Threshold - TimeSpan.FromMilliseconds(1));
        Assert.Empty(publisher.Published);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        _time.Advance(TimeSpan.FromSeconds(20));
        var publishedAsSlow = await call.EndAsync();

        Assert.True(publishedAsSlow);
        var slow = Assert.Single(publisher.Published);
        Assert.Equal(FailureReasons.Slow, slow.Reason);
        Assert.Equal(slowAt.ToUnixTimeMilliseconds(), slow.FailedAtEpochMilliseconds);
        Assert.Equal(Threshold.TotalMilliseconds, slow.ElapsedMilliseconds);
        Assert.Equal(_settings.ServiceId, slow.ServiceId);
        Assert.Equal("req-1", slow.RequestId);
        Assert.Null(slow.StatusCode);
        Assert.Single(_log.WithMessage("slow call published as failed"));
    }

    [Fact]
    public async Task ACallThatEndsBeforeTheThresholdIsNeverPublished()
    {
        var publisher = new RecordingFailurePublisher();
        var call = NewWatch(publisher).Watch(Invocation(), CircuitView.Closed, CancellationToken.None);
        _time.Advance(Threshold - TimeSpan.FromMilliseconds(1));

        var publishedAsSlow = await call.EndAsync();
        _time.Advance(Threshold);

        Assert.False(publishedAsSlow);
        Assert.Empty(publisher.Published);
    }

    [Fact]
    public async Task WithoutAThresholdCallsAreNotWatched()
    {
        var publisher = new RecordingFailurePublisher();
        var call = NewWatch(publisher, TestSettings.Circuit()).Watch(Invocation(), CircuitView.Closed, CancellationToken.None);

        _time.Advance(TimeSpan.FromSeconds(60));

        Assert.Same(WatchedCall.Unwatched, call);
        Assert.False(await call.EndAsync());
        Assert.Empty(publisher.Published);
    }

    [Fact]
    public async Task TheEndWaitsForAPublicationInFlightSoItFinishesWithinTheInvocation()
    {
        var publisher = new ControlledFailurePublisher();
        var call = NewWatch(publisher).Watch(Invocation(), CircuitView.Closed, CancellationToken.None);
        _time.Advance(Threshold);

        var end = call.EndAsync();
        await Task.Delay(50, TestContext.Current.CancellationToken);
        Assert.False(end.IsCompleted);
        publisher.Answer(true);

        Assert.True(await end);
    }

    [Fact]
    public async Task WhenPublishingTheSlowCallFailsItsEndSaysSoThatItsOwnFailureIsPublished()
    {
        var publisher = new RecordingFailurePublisher(succeeds: false);
        var call = NewWatch(publisher).Watch(Invocation(), CircuitView.Closed, CancellationToken.None);
        _time.Advance(Threshold);

        Assert.False(await call.EndAsync());
        Assert.Single(publisher.Published);
        var warning = Assert.Single(_log.WithMessage("slow call not published: its failure, if it fails, will be published when it ends"));
        Assert.Equal("WARN", warning.GetProperty("level").GetString());
    }

    [Fact]
    public async Task ThePublicationGetsThePublishBudgetAndNoMore()
    {
        var publisher = new ControlledFailurePublisher();
        var call = NewWatch(publisher).Watch(Invocation(TimeSpan.FromSeconds(20)), CircuitView.Closed, CancellationToken.None);
        _time.Advance(Threshold);
        Assert.True(publisher.Budgets.TryPeek(out var budget));

        _time.Advance(PublishBudget - TimeSpan.FromMilliseconds(1));
        Assert.False(budget.IsCancellationRequested);
        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.True(budget.IsCancellationRequested);
        Assert.False(await call.EndAsync());
    }

    [Fact]
    public async Task ThePublicationEndsBeforeTheInvocationsDeadlineLessTheTimeToAnswer()
    {
        var publisher = new ControlledFailurePublisher();
        var remaining = Threshold + TimeSpan.FromSeconds(0.5);
        var call = NewWatch(publisher).Watch(Invocation(remaining), CircuitView.Closed, CancellationToken.None);
        _time.Advance(Threshold);
        Assert.True(publisher.Budgets.TryPeek(out var budget));

        _time.Advance(TimeSpan.FromSeconds(0.5) - SlowCallWatch.AnswerMargin - TimeSpan.FromMilliseconds(1));
        Assert.False(budget.IsCancellationRequested);
        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.True(budget.IsCancellationRequested);
        Assert.False(await call.EndAsync());
    }
}
