using CircuitBreaker.Bench;

return await BenchCommand.RunAsync(args, Console.Out, CancellationToken.None).ConfigureAwait(false);
