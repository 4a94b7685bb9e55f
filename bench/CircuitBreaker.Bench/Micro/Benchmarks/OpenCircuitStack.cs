using CircuitBreaker.Bench.Stack;
using CircuitBreaker.Contract;
using CircuitBreaker.Functions.Runtime;

namespace CircuitBreaker.Bench.Micro.Benchmarks;

/// <summary>
/// The fast-fail benchmarks' stack: one variant's local system, its circuit opened by real failures (the simulator
/// hangs) with a window and open period of 10 minutes so that it stays open, and an open-circuit request.
/// </summary>
internal sealed class OpenCircuitStack : IAsyncDisposable
{
    private OpenCircuitStack(MeasuredLocalSystem system, LambdaInvocation invocation)
    {
        System = system;
        Invocation = invocation;
    }

    public MeasuredLocalSystem System { get; }

    /// <summary><c>GET /bench</c> with an hour before its deadline, longer than any run: the handler never sees time run out.</summary>
    public LambdaInvocation Invocation { get; }

    public static OpenCircuitStack Start(string variantName)
    {
        var variant = BenchCommand.HangVariants().Single(v => v.Name == variantName);
        var root = RepositoryRoot.Find(AppContext.BaseDirectory) ?? throw new InvalidOperationException("Run the bench from the repository.");
        var system = MeasuredLocalSystem.StartAsync(variant, OpenCircuitBench.SettingsFrom(new BenchOptions().Stack), root, CancellationToken.None)
            .GetAwaiter().GetResult();
        OpenCircuitBench.OpenAsync(system, TextWriter.Null, CancellationToken.None).GetAwaiter().GetResult();
        var now = DateTimeOffset.UtcNow;
        return new OpenCircuitStack(system, new LambdaInvocation("fast-fail", now.AddHours(1), null, null, LocalGatewayEvents.Get("/bench", "fast-fail", now)));
    }

    public ValueTask DisposeAsync() => System.DisposeAsync();
}
