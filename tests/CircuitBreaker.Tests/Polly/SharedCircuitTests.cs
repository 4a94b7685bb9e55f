using CircuitBreaker.Polly;
using Microsoft.Extensions.Time.Testing;
using Polly;
using Polly.CircuitBreaker;
using static CircuitBreaker.Tests.Polly.PollyTestCircuits;

namespace CircuitBreaker.Tests.Polly;

/// <summary>Two pipelines standing for two function instances, sharing one circuit.</summary>
public sealed class SharedCircuitTests
{
    private readonly FakeTimeProvider _time = NewClock();
    private readonly InMemoryDistributedCircuit _circuit;

    public SharedCircuitTests() => _circuit = new InMemoryDistributedCircuit(Options(_time));

    [Fact]
    public async Task FailuresInOneInstanceOpenTheCircuitForTheOther()
    {
        var first = Pipeline(Options(_time, _circuit));
        var opened = 0;
        var secondOptions = Options(_time, _circuit);
        secondOptions.OnOpened = _ => { opened++; return ValueTask.CompletedTask; };
        var second = Pipeline(secondOptions);

        for (var i = 0; i < 3; i++)
        {
            await first.FailAsync();
        }

        Assert.IsType<BrokenCircuitException>(await second.SucceedAsync());
        Assert.Equal(1, opened);
    }

    [Fact]
    public async Task HalfOpenAdmitsOneProbeAcrossBothInstancesUntilItSettles()
    {
        var first = Pipeline(Options(_time, _circuit));
        var second = Pipeline(Options(_time, _circuit));
        for (var i = 0; i < 3; i++)
        {
            await first.FailAsync();
        }

        _time.Advance(TimeSpan.FromSeconds(30));
        var (probe, releaseProbe) = await first.StartHeldCallAsync(() => 7);

        var others = 0;
        for (var i = 0; i < 20; i++)
        {
            var pipeline = i % 2 == 0 ? second : first;
            var outcome = await pipeline.ExecuteOutcomeAsync<int, object?>(
                (_, _) => { Interlocked.Increment(ref others); return Outcome.FromResultAsValueTask(1); },
                ResilienceContextPool.Shared.Get(TestContext.Current.CancellationToken),
                null);
            Assert.NotNull(Assert.IsType<BrokenCircuitException>(outcome.Exception).RetryAfter);
        }

        Assert.Equal(0, others);
        releaseProbe.SetResult();
        Assert.Equal(7, await probe);
        Assert.Equal(1, _circuit.ProbesAdmitted);
        Assert.Equal(CircuitState.Closed, _circuit.State);
        Assert.Null(await second.SucceedAsync());
    }

    [Fact]
    public async Task ConcurrentCallersAtTheEndOfTheOpenPeriodElectExactlyOneProbe()
    {
        var pipelines = Enumerable.Range(0, 4).Select(_ => Pipeline(Options(_time, _circuit))).ToArray();
        for (var i = 0; i < 3; i++)
        {
            await pipelines[0].FailAsync();
        }

        _time.Advance(TimeSpan.FromSeconds(30));
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var ran = 0;
        var calls = Enumerable.Range(0, 40).Select(i => Task.Run(async () =>
        {
            var outcome = await pipelines[i % pipelines.Length].ExecuteOutcomeAsync<int, object?>(
                async (_, _) =>
                {
                    Interlocked.Increment(ref ran);
                    await release.Task;
                    return Outcome.FromResult(1);
                },
                ResilienceContextPool.Shared.Get(TestContext.Current.CancellationToken),
                null);
            return outcome.Exception;
        })).ToArray();

        // The 39 refusals finish on their own; the probe waits for the release.
        while (calls.Count(call => call.IsCompleted) < 39)
        {
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        release.SetResult();
        var results = await Task.WhenAll(calls);

        Assert.Equal(1, ran);
        Assert.Equal(39, results.Count(exception => exception is BrokenCircuitException));
        Assert.Equal(1, _circuit.ProbesAdmitted);
    }
}
