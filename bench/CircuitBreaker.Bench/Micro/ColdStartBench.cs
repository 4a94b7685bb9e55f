namespace CircuitBreaker.Bench.Micro;

/// <summary>Cold start of the bootstrap, Native AOT against JIT.</summary>
internal static class ColdStartBench
{
    public static Task<(IReadOnlyList<ColdStartResult> Results, string? Note)> RunAsync(string root, int samples, TextWriter output, CancellationToken cancellationToken) =>
        Task.FromResult<(IReadOnlyList<ColdStartResult>, string?)>(([], "Not measured yet."));
}
