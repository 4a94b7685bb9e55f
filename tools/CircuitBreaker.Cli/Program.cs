using CircuitBreaker.Cli;

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

return await CircuitCtlCommand.RunAsync(args, Console.Out, Console.Error, Environment.GetEnvironmentVariable, TimeProvider.System, stop.Token);
