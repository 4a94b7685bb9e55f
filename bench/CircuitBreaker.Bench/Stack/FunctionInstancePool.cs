using System.Collections.Concurrent;
using CircuitBreaker.Functions.Runtime;

namespace CircuitBreaker.Bench.Stack;

/// <summary>
/// Lambda's concurrency model in process: an instance serves one invocation at a time; when all are busy a new
/// instance is created (its own handler, so its own in-memory state, like a new execution environment).
/// </summary>
internal sealed class FunctionInstancePool(Func<IInvocationHandler> createInstance, bool reuseInstances = true)
{
    private readonly ConcurrentBag<IInvocationHandler> _idle = [];
    private int _created;

    public int InstancesCreated => Volatile.Read(ref _created);

    public async Task<ReadOnlyMemory<byte>> InvokeAsync(LambdaInvocation invocation, CancellationToken cancellationToken)
    {
        if (!_idle.TryTake(out var instance))
        {
            instance = createInstance();
            Interlocked.Increment(ref _created);
        }

        try
        {
            return await instance.HandleAsync(invocation, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Not reusing models a cold instance per request: nothing remembered, every decision read from the store.
            if (reuseInstances)
            {
                _idle.Add(instance);
            }
        }
    }
}
