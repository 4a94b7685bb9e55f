using CircuitBreaker.Functions.Runtime;

namespace CircuitBreaker.Bench.Stack;

/// <summary>One function instance built from its environment: its handler and what it owns.</summary>
internal sealed record LocalInstance(IInvocationHandler Handler, IDisposable Resources) : IDisposable
{
    public void Dispose() => Resources.Dispose();
}
