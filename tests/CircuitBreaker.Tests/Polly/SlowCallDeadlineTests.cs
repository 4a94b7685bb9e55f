using CircuitBreaker.Contract;
using CircuitBreaker.Core.Breaker;
using CircuitBreaker.Core.Events;
using CircuitBreaker.Polly;
using CircuitBreaker.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using Polly;

namespace CircuitBreaker.Tests.Polly;

/// <summary>
/// The strategy's slow-call watch as the webservice runs it (it once had its own, <c>SlowCallWatch</c>): a call still
/// pending at the threshold is reported then, once, within the publish budget and never past the caller's
/// <see cref="DistributedCircuitBreakerProperties.Deadline"/>; a report that was lost lets the call's own failure be reported.
/// </summary>
public sealed class SlowCallDeadlineTests
{
    private static readonly TimeSpan Threshold = TimeSpan.FromSeconds(2);

    private readonly FakeTimeProvider _time = TestClock.New();
    private readonly CapturedLog _log;
    private readonly CircuitSettings _settings = TestSettings.Circuit(timeoutSeconds: 10, slowCallSeconds: Threshold.TotalSeconds);

    public SlowCallDeadlineTests() => _log = new CapturedLog(_time, "webservice");

    [Fact]
    public async Task ACallStillPendingAtTheThresholdIsPublishedThenAsSlowAndOnlyOnce()
    {
        var publisher = new RecordingFailurePublisher();
        var (call, release) = await StartHeldCallAsync(Pipeline(publisher), deadlineIn: TimeSpan.FromSeconds(12));
        var slowAt = _time.GetUtcNow() + Threshold;

        _time.Advance(Threshold - TimeSpan.FromMilliseconds(1));
        Assert.Empty(publisher.Published);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        _time.Advance(TimeSpan.FromSeconds(20));
        release.SetResult(false);
        await call;

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
        var (call, release) = await StartHeldCallAsync(Pipeline(publisher), deadlineIn: TimeSpan.FromSeconds(12));
        _time.Advance(Threshold - TimeSpan.FromMilliseconds(1));

        release.SetResult(false);
        await call;
        _time.Advance(Threshold);

        Assert.Empty(publisher.Published);
    }

    [Fact]
    public async Task WithoutAThresholdCallsAreNotWatched()
    {
        var publisher = new RecordingFailurePublisher();
        var (call, release) = await StartHeldCallAsync(Pipeline(publisher, TestSettings.Circuit()), deadlineIn: TimeSpan.FromSeconds(70));

        _time.Advance(TimeSpan.FromSeconds(60));
        release.SetResult(false);
        await call;

        Assert.Empty(publisher.Published);
    }

    [Fact]
    public async Task TheEndWaitsForAPublicationInFlightSoItFinishesWithinTheInvocation()
    {
        var publisher = new ControlledFailurePublisher();
        var (call, release) = await StartHeldCallAsync(Pipeline(publisher), deadlineIn: TimeSpan.FromSeconds(12));
        _time.Advance(Threshold);

        release.SetResult(false);
        await Task.Delay(50, TestContext.Current.CancellationToken);
        Assert.False(call.IsCompleted);
        publisher.Answer(true);

        await call;
        Assert.Single(publisher.Published);
    }

    [Fact]
    public async Task WhenPublishingTheSlowCallFailsItsOwnFailureIsPublishedWhenItEnds()
    {
        var publisher = new RecordingFailurePublisher(succeeds: false);
        var (call, release) = await StartHeldCallAsync(Pipeline(publisher), deadlineIn: TimeSpan.FromSeconds(12));
        _time.Advance(Threshold);

        release.SetResult(true);
        await call;

        Assert.Equal([FailureReasons.Slow, FailureReasons.Exception], publisher.Published.Select(failure => failure.Reason));
        var warning = Assert.Single(_log.WithMessage("slow call not published: its failure, if it fails, will be published when it ends"));
        Assert.Equal("WARN", warning.GetProperty("level").GetString());
    }

    [Fact]
    public async Task ThePublicationGetsThePublishBudgetAndNoMore()
    {
        var publisher = new ControlledFailurePublisher();
        var (call, release) = await StartHeldCallAsync(Pipeline(publisher), deadlineIn: TimeSpan.FromSeconds(20));
        _time.Advance(Threshold);
        Assert.True(publisher.Budgets.TryPeek(out var budget));

        _time.Advance(PublishBudget.Longest - TimeSpan.FromMilliseconds(1));
        Assert.False(budget.IsCancellationRequested);
        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.True(budget.IsCancellationRequested);
        release.SetResult(false);
        await call;
    }

    [Fact]
    public async Task ThePublicationEndsAtTheCallersDeadline()
    {
        var publisher = new ControlledFailurePublisher();
        var (call, release) = await StartHeldCallAsync(Pipeline(publisher), deadlineIn: Threshold + TimeSpan.FromSeconds(0.25));
        _time.Advance(Threshold);
        Assert.True(publisher.Budgets.TryPeek(out var budget));

        _time.Advance(TimeSpan.FromSeconds(0.25) - TimeSpan.FromMilliseconds(1));
        Assert.False(budget.IsCancellationRequested);
        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.True(budget.IsCancellationRequested);
        release.SetResult(false);
        await call;
    }

    // The webservice's composition: the route's circuit over a store, failures to the publisher, the pipeline through it.
    private ResiliencePipeline<int> Pipeline(IFailurePublisher publisher, CircuitSettings? settings = null)
    {
        settings ??= _settings;
        var circuit = GateCircuit.Over(
            settings.ServiceId, settings.Policy, new TestCircuitStore(), publisher, TransitionReporter.LogOnly(_log.Log, _time), TimeSpan.FromSeconds(12), _time, _log.Log);
        return new ResiliencePipelineBuilder<int> { TimeProvider = _time }
            .AddDistributedCircuitBreaker(new DistributedCircuitBreakerStrategyOptions<int>
            {
                ServiceId = settings.ServiceId,
                Circuit = circuit,
                SlowCallThreshold = settings.Policy.SlowCallThreshold,
                TimeProvider = _time,
            })
            .Build();
    }

    // A call as request "req-1" with its deadline, held until released with whether it fails.
    private async Task<(Task Call, TaskCompletionSource<bool> Release)> StartHeldCallAsync(ResiliencePipeline<int> pipeline, TimeSpan deadlineIn)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var context = ResilienceContextPool.Shared.Get(TestContext.Current.CancellationToken);
        context.Properties.Set(DistributedCircuitBreakerProperties.RequestId, "req-1");
        context.Properties.Set(DistributedCircuitBreakerProperties.Deadline, _time.GetUtcNow() + deadlineIn);
        var call = pipeline.ExecuteOutcomeAsync<int, object?>(
            async (_, _) =>
            {
                started.SetResult();
                return await release.Task ? Outcome.FromException<int>(new InvalidOperationException("failed (test)")) : Outcome.FromResult(42);
            },
            context,
            null).AsTask();
        await started.Task.WaitAsync(TestContext.Current.CancellationToken);
        return (call, release);
    }
}
