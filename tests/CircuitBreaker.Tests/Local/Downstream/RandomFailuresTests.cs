using System.Net;
using CircuitBreaker.Local.Downstream;

namespace CircuitBreaker.Tests.Local.Downstream;

public sealed class RandomFailuresTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public void FailsAboutTheGivenShareOfCalls()
    {
        var failures = new RandomFailures(0.005, seed: 42);

        var failed = Enumerable.Range(0, 200_000).Count(_ => failures.NextFails());

        // 1000 expected; the binomial's standard deviation is about 32.
        Assert.InRange(failed, 850, 1150);
    }

    [Fact]
    public void TheSameSeedGivesTheSameCalls()
    {
        var first = new RandomFailures(0.3, seed: 7);
        var second = new RandomFailures(0.3, seed: 7);
        var other = new RandomFailures(0.3, seed: 8);

        var a = Enumerable.Range(0, 500).Select(_ => first.NextFails()).ToList();
        var b = Enumerable.Range(0, 500).Select(_ => second.NextFails()).ToList();
        var c = Enumerable.Range(0, 500).Select(_ => other.NextFails()).ToList();

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void AShareOutsideZeroToOneIsRefused(double fraction) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new RandomFailures(fraction, 1));

    [Fact]
    public async Task TheSimulatorFailsTheDrawnCallsOnlyWhileSet()
    {
        await using var simulator = await DownstreamSimulator.StartAsync(SimulatorMode.Ok, 0, Token);
        using var client = new HttpClient { BaseAddress = simulator.BaseAddress };

        simulator.FailAtRandom(new RandomFailures(1, seed: 1));
        using var failed = await client.GetAsync("/", Token);
        simulator.FailAtRandom(null);
        using var ok = await client.GetAsync("/", Token);

        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(2, simulator.Calls);
    }

    [Fact]
    public async Task HangStillHangsWithRandomFailuresSet()
    {
        await using var simulator = await DownstreamSimulator.StartAsync(SimulatorMode.Hang, 0, Token);
        using var client = new HttpClient { BaseAddress = simulator.BaseAddress, Timeout = TimeSpan.FromMilliseconds(300) };
        simulator.FailAtRandom(new RandomFailures(1, seed: 1));

        await Assert.ThrowsAsync<TaskCanceledException>(() => client.GetAsync("/", Token));
    }
}
