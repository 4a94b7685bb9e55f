using CircuitBreaker.Polly;
using Microsoft.Extensions.Time.Testing;
using Polly;

namespace CircuitBreaker.Tests.Polly;

/// <summary>Options, circuits and pipelines the Polly tests share: threshold 3 within 60 s, open 30 s, on a fake clock.</summary>
internal static class PollyTestCircuits
{
    public const string ServiceId = "orders-api";

    public static FakeTimeProvider NewClock() => new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));

    public static DistributedCircuitBreakerStrategyOptions Options(TimeProvider time, IDistributedCircuit? circuit = null) => new()
    {
        ServiceId = ServiceId,
        FailureThreshold = 3,
        Window = TimeSpan.FromSeconds(60),
        OpenDuration = TimeSpan.FromSeconds(30),
        ProbeLease = TimeSpan.FromSeconds(10),
        TimeProvider = time,
        Circuit = circuit,
    };

    public static ResiliencePipeline Pipeline(DistributedCircuitBreakerStrategyOptions options) =>
        new ResiliencePipelineBuilder { TimeProvider = options.TimeProvider! }.AddDistributedCircuitBreaker(options).Build();

    /// <summary>Runs one call that throws <see cref="InvalidOperationException"/>; returns what the caller got.</summary>
    public static async Task<Exception?> FailAsync(this ResiliencePipeline pipeline)
    {
        var outcome = await pipeline.ExecuteOutcomeAsync<int, object?>(
            static (_, _) => Outcome.FromExceptionAsValueTask<int>(new InvalidOperationException("downstream failed (test)")),
            ResilienceContextPool.Shared.Get(TestContext.Current.CancellationToken),
            null);
        return outcome.Exception;
    }

    /// <summary>Runs one call that succeeds with 42; returns the exception the caller got, or null.</summary>
    public static async Task<Exception?> SucceedAsync(this ResiliencePipeline pipeline)
    {
        var outcome = await pipeline.ExecuteOutcomeAsync<int, object?>(
            static (_, _) => Outcome.FromResultAsValueTask(42),
            ResilienceContextPool.Shared.Get(TestContext.Current.CancellationToken),
            null);
        return outcome.Exception;
    }

    /// <summary>
    /// Starts one call and waits until it runs; it then holds until the returned source is set, and ends with what
    /// <paramref name="whenReleased"/> returns (or throws).
    /// </summary>
    public static async Task<(Task<T> Call, TaskCompletionSource Release)> StartHeldCallAsync<T>(this ResiliencePipeline pipeline, Func<T> whenReleased)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var call = pipeline.ExecuteAsync(
            async _ =>
            {
                started.SetResult();
                await release.Task;
                return whenReleased();
            },
            TestContext.Current.CancellationToken).AsTask();
        await started.Task.WaitAsync(TestContext.Current.CancellationToken);
        return (call, release);
    }
}
