using CircuitBreaker.Polly;
using Polly.CircuitBreaker;

namespace CircuitBreaker.Tests.Polly;

public sealed class InMemoryDistributedCircuitTests : DistributedCircuitContractTests
{
    [Fact]
    public async Task FailuresOutsideTheWindowDoNotCount()
    {
        var circuit = new InMemoryDistributedCircuit(Settings());

        await FailAsync(circuit, 2);
        Time.Advance(TimeSpan.FromSeconds(61));
        await FailAsync(circuit, 1);

        Assert.Equal(CircuitState.Closed, circuit.State);
        await FailAsync(circuit, 2);
        Assert.Equal(CircuitState.Open, circuit.State);
    }

    [Fact]
    public async Task RatioModeWaitsForTheMinimumThroughputThenOpensAtTheRatio()
    {
        var circuit = RatioCircuit();

        // Five failures out of five calls: a ratio of 1, but below the minimum throughput.
        await CallsAsync(circuit, 5, failed: true);
        await FailAsync(circuit, 5);
        Assert.Equal(CircuitState.Closed, circuit.State);
        await CallsAsync(circuit, 5, failed: false);

        // Ten calls, five failed: 0.5 is reached with the next failure report.
        await FailAsync(circuit, 1);
        Assert.Equal(CircuitState.Open, circuit.State);
    }

    [Fact]
    public async Task RatioModeDoesNotOpenBelowTheRatio()
    {
        var circuit = RatioCircuit();

        await CallsAsync(circuit, 20, failed: false);
        await FailAsync(circuit, 9);

        Assert.Equal(CircuitState.Closed, circuit.State);
    }

    [Fact]
    public async Task IsolationHoldsTheCircuitUntilClosed()
    {
        var circuit = new InMemoryDistributedCircuit(Settings());

        circuit.Isolate();
        Time.Advance(TimeSpan.FromDays(2));
        var admission = await circuit.AdmitAsync("any", Token);
        circuit.Close();

        Assert.Equal(CircuitAdmissionKind.Isolated, admission.Kind);
        Assert.Equal(CircuitAdmissionKind.Call, (await circuit.AdmitAsync("after", Token)).Kind);
    }

    protected override IDistributedCircuit NewCircuit(DistributedCircuitBreakerSettings settings) => new InMemoryDistributedCircuit(settings);

    protected override Task OpenAsync(IDistributedCircuit circuit) => FailAsync(circuit, 3);

    private InMemoryDistributedCircuit RatioCircuit()
    {
        var settings = Settings();
        settings.FailureRatio = 0.5;
        settings.MinimumThroughput = 10;
        return new InMemoryDistributedCircuit(settings);
    }

    private async Task FailAsync(IDistributedCircuit circuit, int failures)
    {
        for (var i = 0; i < failures; i++)
        {
            Assert.True(await circuit.ReportFailureAsync(Failure(circuit), Token));
        }
    }

    private async Task CallsAsync(InMemoryDistributedCircuit circuit, int calls, bool failed)
    {
        for (var i = 0; i < calls; i++)
        {
            await circuit.ReportCallAsync(new CircuitCallReport(Time.GetUtcNow(), failed), Token);
        }
    }
}
