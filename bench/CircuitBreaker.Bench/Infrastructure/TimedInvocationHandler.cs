using System.Diagnostics;
using CircuitBreaker.Functions.Runtime;

namespace CircuitBreaker.Bench;

/// <summary>Measures each invocation of the wrapped handler, the way Lambda bills it: from event in to response out.</summary>
internal sealed class TimedInvocationHandler(IInvocationHandler inner, string function, HandlerTimings timings, Func<long> runStartedTimestamp)
    : IInvocationHandler
{
    public async Task<ReadOnlyMemory<byte>> HandleAsync(LambdaInvocation invocation, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var failed = true;
        try
        {
            var response = await inner.HandleAsync(invocation, cancellationToken).ConfigureAwait(false);
            failed = false;
            return response;
        }
        finally
        {
            timings.Add(new HandlerTiming(
                function,
                Stopwatch.GetElapsedTime(runStartedTimestamp(), started),
                Stopwatch.GetElapsedTime(started),
                failed));
        }
    }
}
