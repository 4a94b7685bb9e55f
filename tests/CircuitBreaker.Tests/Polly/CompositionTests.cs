using CircuitBreaker.Contract;
using CircuitBreaker.Polly;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace CircuitBreaker.Tests.Polly;

/// <summary>
/// The documented order, retry outside the breaker and timeout inside it, on the real clock with short
/// timeouts: the assertions count calls and failures, never durations.
/// </summary>
public sealed class CompositionTests
{
    private static readonly TimeSpan ShortTimeout = TimeSpan.FromMilliseconds(50);

    private readonly DistributedCircuitBreakerStrategyOptions _options;
    private readonly RecordingCircuit _circuit;

    public CompositionTests()
    {
        _options = new DistributedCircuitBreakerStrategyOptions
        {
            ServiceId = PollyTestCircuits.ServiceId,
            FailureThreshold = 3,
            OpenDuration = TimeSpan.FromMinutes(5),
        };
        _circuit = new RecordingCircuit(new InMemoryDistributedCircuit(_options));
        _options.Circuit = _circuit;
    }

    [Fact]
    public async Task TimeoutsInsideTheBreakerCountAndARetryOutsideItFailsFastOnceItOpens()
    {
        var pipeline = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = 6,
                Delay = TimeSpan.Zero,
                ShouldHandle = new PredicateBuilder().Handle<TimeoutRejectedException>().Handle<BrokenCircuitException>(),
            })
            .AddDistributedCircuitBreaker(_options)
            .AddTimeout(ShortTimeout)
            .Build();
        var calls = 0;

        var refused = await Assert.ThrowsAsync<BrokenCircuitException>(async () => await pipeline.ExecuteAsync(
            async token =>
            {
                Interlocked.Increment(ref calls);
                await Task.Delay(Timeout.Infinite, token);
            },
            TestContext.Current.CancellationToken));

        // Seven attempts: three timed out and opened the circuit, the other four never reached the dependency.
        Assert.Equal(3, calls);
        Assert.Equal(3, _circuit.Failures.Count);
        Assert.All(_circuit.Failures, failure => Assert.Equal(FailureReasons.Timeout, failure.Reason));
        Assert.Equal(7, _circuit.Admissions.Count);
        Assert.True(refused.RetryAfter > TimeSpan.Zero);
    }

    [Fact]
    public async Task ARetryThatLeavesBrokenCircuitExceptionAloneStopsAtTheOpenCircuit()
    {
        var retries = 0;
        var pipeline = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = 10,
                Delay = TimeSpan.Zero,
                ShouldHandle = new PredicateBuilder().Handle<TimeoutRejectedException>(),
                OnRetry = _ => { retries++; return ValueTask.CompletedTask; },
            })
            .AddDistributedCircuitBreaker(_options)
            .AddTimeout(ShortTimeout)
            .Build();

        await Assert.ThrowsAsync<BrokenCircuitException>(async () => await pipeline.ExecuteAsync(
            async token => await Task.Delay(Timeout.Infinite, token),
            TestContext.Current.CancellationToken));

        Assert.Equal(3, retries);
        Assert.Equal(4, _circuit.Admissions.Count);
    }

    [Fact]
    public async Task ATimeoutOutsideTheBreakerIsACancellationToItAndDoesNotCount()
    {
        // The wrong order, to show why the order matters: the breaker only sees its token cancelled.
        var pipeline = new ResiliencePipelineBuilder()
            .AddTimeout(ShortTimeout)
            .AddDistributedCircuitBreaker(_options)
            .Build();

        for (var i = 0; i < 3; i++)
        {
            await Assert.ThrowsAsync<TimeoutRejectedException>(async () => await pipeline.ExecuteAsync(
                async token => await Task.Delay(Timeout.Infinite, token),
                TestContext.Current.CancellationToken));
        }

        Assert.Empty(_circuit.Failures);
        Assert.All(_circuit.Calls, call => Assert.False(call.Failed));
        Assert.Equal(3, _circuit.Admissions.Count(admission => admission.Kind == CircuitAdmissionKind.Call));
    }
}
