using CircuitBreaker.Bench;
using CircuitBreaker.Bench.Micro;

if (args is ["metrics-overhead"])
{
    return MetricsOverheadBench.Run(Console.Out);
}

return await BenchCommand.RunAsync(args, Console.Out, CancellationToken.None).ConfigureAwait(false);
