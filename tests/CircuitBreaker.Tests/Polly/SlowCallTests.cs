using CircuitBreaker.Contract;
using CircuitBreaker.Polly;
using Microsoft.Extensions.Time.Testing;
using Polly;
using static CircuitBreaker.Tests.Polly.PollyTestCircuits;

namespace CircuitBreaker.Tests.Polly;

public sealed class SlowCallTests
{
    private readonly FakeTimeProvider _time = NewClock();
    private readonly RecordingCircuit _circuit;
    private readonly DistributedCircuitBreakerStrategyOptions _options;

    public SlowCallTests()
    {
        _options = Options(_time);
        _options.SlowCallThreshold = TimeSpan.FromSeconds(2);
        _circuit = new RecordingCircuit(new InMemoryDistributedCircuit(_options));
        _options.Circuit = _circuit;
    }

    [Fact]
    public async Task ACallStillRunningAtTheThresholdIsReportedThenWithoutWaitingAndNotAgain()
    {
        var pipeline = Pipeline(_options);
        var (call, finish) = await pipeline.StartHeldCallAsync<string>(() => throw new TimeoutException("gave up (test)"));

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Empty(_circuit.Failures);
        _time.Advance(TimeSpan.FromSeconds(1));
        var slow = Assert.Single(_circuit.Failures);
        Assert.False(call.IsCompleted);
        Assert.Equal(FailureReasons.Slow, slow.Reason);
        Assert.Equal(2000, slow.ElapsedMilliseconds);

        finish.SetResult();
        await Assert.ThrowsAsync<TimeoutException>(() => call);
        Assert.Single(_circuit.Failures);
        Assert.True(Assert.Single(_circuit.Calls).Failed);
    }

    [Fact]
    public async Task ASlowCallThatSucceedsAnswersItsCallerNormally()
    {
        var pipeline = Pipeline(_options);
        var (call, finish) = await pipeline.StartHeldCallAsync(() => "answer");

        _time.Advance(TimeSpan.FromSeconds(3));
        finish.SetResult();

        Assert.Equal("answer", await call);
        Assert.Equal(FailureReasons.Slow, Assert.Single(_circuit.Failures).Reason);
    }

    [Fact]
    public async Task AFastCallIsNeverReportedSlowEvenWhenTheClockMovesOnLater()
    {
        var pipeline = Pipeline(_options);

        Assert.Null(await pipeline.SucceedAsync());
        _time.Advance(TimeSpan.FromSeconds(10));

        Assert.Empty(_circuit.Failures);
    }

    [Fact]
    public async Task ThreeHangingCallsOpenTheCircuitAtTheSlowThresholdBeforeAnyOfThemEnds()
    {
        var pipeline = Pipeline(_options);
        var hang = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = 0;
        var calls = Enumerable.Range(0, 3).Select(_ => pipeline.ExecuteAsync(
            async _ =>
            {
                Interlocked.Increment(ref started);
                await hang.Task;
            },
            TestContext.Current.CancellationToken).AsTask()).ToArray();
        Assert.Equal(3, started);

        _time.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal(3, _circuit.Failures.Count);
        Assert.IsType<global::Polly.CircuitBreaker.BrokenCircuitException>(await pipeline.SucceedAsync());
        hang.SetResult();
        await Task.WhenAll(calls);
    }

    [Fact]
    public async Task ASlowReportThatIsLostLetsTheCallsOwnFailureBeReportedWhenItFails()
    {
        // One rule for the webservice and the library: a lost slow report is no report, so the failure that follows counts.
        var options = Options(_time);
        options.SlowCallThreshold = TimeSpan.FromSeconds(2);
        var circuit = new RecordingCircuit(new LosingFailuresCircuit(new InMemoryDistributedCircuit(options)));
        options.Circuit = circuit;
        var pipeline = Pipeline(options);
        var (call, finish) = await pipeline.StartHeldCallAsync<string>(() => throw new TimeoutException("gave up (test)"));

        _time.Advance(TimeSpan.FromSeconds(2));
        finish.SetResult();
        await Assert.ThrowsAsync<TimeoutException>(() => call);

        Assert.Equal([FailureReasons.Slow, FailureReasons.Timeout], circuit.Failures.Select(failure => failure.Reason));
        Assert.True(Assert.Single(circuit.Calls).Failed);
    }

    /// <summary>A circuit whose failure reports are all lost (the bus refuses them); everything else it passes on.</summary>
    private sealed class LosingFailuresCircuit(IDistributedCircuit inner) : IDistributedCircuit
    {
        public string ServiceId => inner.ServiceId;

        public ValueTask<CircuitAdmission> AdmitAsync(string callId, CancellationToken cancellationToken) => inner.AdmitAsync(callId, cancellationToken);

        public ValueTask<ProbeSettlement> SettleProbeAsync(string callId, bool succeeded, CancellationToken cancellationToken) =>
            inner.SettleProbeAsync(callId, succeeded, cancellationToken);

        public ValueTask<bool> ReportFailureAsync(FailureEventDetail failure, CancellationToken cancellationToken) => ValueTask.FromResult(false);

        public ValueTask ReportCallAsync(CircuitCallReport report, CancellationToken cancellationToken) => inner.ReportCallAsync(report, cancellationToken);
    }
}
