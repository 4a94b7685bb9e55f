using CircuitBreaker.Contract;
using CircuitBreaker.Polly;
using Microsoft.Extensions.Time.Testing;
using Polly.CircuitBreaker;
using static CircuitBreaker.Tests.Polly.PollyTestCircuits;

namespace CircuitBreaker.Tests.Polly;

public sealed class InMemoryDistributedCircuitTests
{
    private readonly FakeTimeProvider _time = NewClock();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task FailuresOutsideTheWindowDoNotCount()
    {
        var circuit = new InMemoryDistributedCircuit(Options(_time));

        await FailAsync(circuit);
        await FailAsync(circuit);
        _time.Advance(TimeSpan.FromSeconds(61));
        await FailAsync(circuit);

        Assert.Equal(CircuitState.Closed, circuit.State);
        await FailAsync(circuit);
        await FailAsync(circuit);
        Assert.Equal(CircuitState.Open, circuit.State);
    }

    [Fact]
    public async Task RatioModeWaitsForTheMinimumThroughputThenOpensAtTheRatio()
    {
        var options = Options(_time);
        options.FailureRatio = 0.5;
        options.MinimumThroughput = 10;
        var circuit = new InMemoryDistributedCircuit(options);

        // Five failures out of five calls: a ratio of 1, but below the minimum throughput.
        for (var i = 0; i < 5; i++)
        {
            await circuit.ReportCallAsync(new CircuitCallReport(_time.GetUtcNow(), Failed: true), Token);
            await FailAsync(circuit);
        }

        Assert.Equal(CircuitState.Closed, circuit.State);
        for (var i = 0; i < 5; i++)
        {
            await circuit.ReportCallAsync(new CircuitCallReport(_time.GetUtcNow(), Failed: false), Token);
        }

        // Ten calls, five failed: 0.5 reached with the next failure report.
        await FailAsync(circuit);
        Assert.Equal(CircuitState.Open, circuit.State);
    }

    [Fact]
    public async Task RatioModeDoesNotOpenBelowTheRatio()
    {
        var options = Options(_time);
        options.FailureRatio = 0.5;
        options.MinimumThroughput = 10;
        var circuit = new InMemoryDistributedCircuit(options);

        for (var i = 0; i < 20; i++)
        {
            await circuit.ReportCallAsync(new CircuitCallReport(_time.GetUtcNow(), Failed: i < 9), Token);
        }

        for (var i = 0; i < 9; i++)
        {
            await FailAsync(circuit);
        }

        Assert.Equal(CircuitState.Closed, circuit.State);
    }

    [Fact]
    public async Task BackoffDoublesTheOpenPeriodUpToTheCapAndASuccessfulProbeResetsIt()
    {
        var options = Options(_time);
        options.MaxOpenDuration = TimeSpan.FromSeconds(100);
        var circuit = new InMemoryDistributedCircuit(options);
        for (var i = 0; i < 3; i++)
        {
            await FailAsync(circuit);
        }

        var periods = new List<TimeSpan?>();
        var wait = options.OpenDuration;
        for (var probe = 0; probe < 3; probe++)
        {
            _time.Advance(wait);
            Assert.Equal(CircuitAdmissionKind.Probe, (await circuit.AdmitAsync($"probe-{probe}", Token)).Kind);
            var settlement = await circuit.SettleProbeAsync($"probe-{probe}", succeeded: false, Token);
            periods.Add(settlement.OpenDuration);
            wait = settlement.OpenDuration!.Value;
        }

        Assert.Equal([TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(100), TimeSpan.FromSeconds(100)], periods);
        _time.Advance(wait);
        await circuit.AdmitAsync("good", Token);
        Assert.True((await circuit.SettleProbeAsync("good", succeeded: true, Token)).Applied);
        for (var i = 0; i < 3; i++)
        {
            await FailAsync(circuit);
        }

        Assert.Equal(TimeSpan.FromSeconds(30), (await circuit.AdmitAsync("after", Token)).RetryAfter);
    }

    [Fact]
    public async Task OnlyTheLeaseHolderSettlesAndALapsedLeaseGoesToTheNextCaller()
    {
        var circuit = new InMemoryDistributedCircuit(Options(_time));
        for (var i = 0; i < 3; i++)
        {
            await FailAsync(circuit);
        }

        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(CircuitAdmissionKind.Probe, (await circuit.AdmitAsync("a", Token)).Kind);
        var meanwhile = await circuit.AdmitAsync("b", Token);
        Assert.Equal(CircuitAdmissionKind.Reject, meanwhile.Kind);
        Assert.Equal(CircuitState.HalfOpen, meanwhile.State);
        Assert.False((await circuit.SettleProbeAsync("b", succeeded: true, Token)).Applied);

        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(CircuitAdmissionKind.Probe, (await circuit.AdmitAsync("b", Token)).Kind);
        Assert.False((await circuit.SettleProbeAsync("a", succeeded: true, Token)).Applied);
        Assert.True((await circuit.SettleProbeAsync("b", succeeded: true, Token)).Applied);
        Assert.Equal(CircuitState.Closed, circuit.State);
    }

    private async Task FailAsync(InMemoryDistributedCircuit circuit) =>
        await circuit.ReportFailureAsync(
            new FailureEventDetail(circuit.ServiceId, _time.GetUtcNow().ToUnixTimeMilliseconds(), FailureReasons.Timeout, null, "test", 1),
            Token);
}
