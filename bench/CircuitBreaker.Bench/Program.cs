using CircuitBreaker.Bench;
using CircuitBreaker.Bench.Micro;

if (args is ["metrics-overhead"])
{
    return MetricsOverheadBench.Run(Console.Out);
}

if (args is ["polly-overhead"])
{
    return await PollyOverheadBench.RunAsync(Console.Out, CancellationToken.None).ConfigureAwait(false);
}

return await BenchCommand.RunAsync(args, Console.Out, CancellationToken.None).ConfigureAwait(false);
