using BenchmarkDotNet.Attributes;
using CircuitBreaker.Functions;

namespace CircuitBreaker.Bench.Micro.Benchmarks;

/// <summary>
/// A request while the circuit is open, on a warm webservice instance: the handler called directly (no HTTP), the
/// instance built from the environment the local host gives its webservice instances. The original's algorithm has no
/// open state: it counts the recent failures in DynamoDB on every request.
/// </summary>
public class FastFailBenchmarks
{
    private OpenCircuitStack _stack = null!;
    private FunctionInstance _instance = null!;

    /// <summary>The breaker: the original's algorithm or ours in count mode.</summary>
    [Params("baseline", "ours-count")]
    public string Variant { get; set; } = "ours-count";

    [GlobalSetup]
    public void Setup()
    {
        _stack = OpenCircuitStack.Start(Variant);
        _instance = _stack.System.NewWebserviceInstance();
        _instance.Handler.HandleAsync(_stack.Invocation, CancellationToken.None).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _instance.Dispose();
        _stack.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Description = "open circuit, warm instance: handler")]
    public Task<ReadOnlyMemory<byte>> WarmInstance() => _instance.Handler.HandleAsync(_stack.Invocation, CancellationToken.None);
}

/// <summary>
/// A request while the circuit is open, on a new webservice instance each time (its own SDK and HTTP clients): the
/// first invocation, which reads the circuit's state. Building the instance is not timed (iteration setup), so each
/// iteration is one invocation.
/// </summary>
[InvocationCount(1)]
[IterationCount(40)]
public class NewInstanceFastFailBenchmarks
{
    private OpenCircuitStack _stack = null!;
    private FunctionInstance? _instance;

    [GlobalSetup]
    public void Setup() => _stack = OpenCircuitStack.Start("ours-count");

    [GlobalCleanup]
    public void Cleanup() => _stack.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [IterationSetup]
    public void NewInstance() => _instance = _stack.System.NewWebserviceInstance();

    [IterationCleanup]
    public void DropInstance() => _instance?.Dispose();

    [Benchmark(Description = "open circuit, new instance: first invocation (reads the state)")]
    public Task<ReadOnlyMemory<byte>> FirstInvocation() => _instance!.Handler.HandleAsync(_stack.Invocation, CancellationToken.None);
}
