using CircuitBreaker.Functions.Runtime;

namespace CircuitBreaker.Tests.Support;

/// <summary>An <see cref="IInvocationHandler"/> whose behaviour the test writes inline.</summary>
internal sealed class DelegateInvocationHandler(Func<LambdaInvocation, CancellationToken, Task<ReadOnlyMemory<byte>>> handle) : IInvocationHandler
{
    public Task<ReadOnlyMemory<byte>> HandleAsync(LambdaInvocation invocation, CancellationToken cancellationToken) =>
        handle(invocation, cancellationToken);

    /// <summary>A handler answering every event with the event itself.</summary>
    public static DelegateInvocationHandler Echo() => new((invocation, _) => Task.FromResult(invocation.Payload));
}
