using System.Runtime.InteropServices;
using CircuitBreaker.Local.Cli;

namespace CircuitBreaker.Local;

internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        using var stop = new CancellationTokenSource();
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => Stop(context, stop));
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => Stop(context, stop));
        return await LocalCommand.RunAsync(args, Console.Out, Console.Error, RunWithoutFunctions, null, TimeProvider.System, stop.Token)
            .ConfigureAwait(false);
    }

    private static void Stop(PosixSignalContext context, CancellationTokenSource stop)
    {
        context.Cancel = true;
        stop.Cancel();
    }

    // This build links no function runtime into the host: an instance reports that and ends, so the
    // gateway answers 503 once the Lambda service gives up waiting for an instance.
    private static Task RunWithoutFunctions(Func<string, string?> environment, CancellationToken cancellationToken)
    {
        Console.Error.WriteLine($"lambda: no function runtime is linked into this host; {environment("AWS_LAMBDA_FUNCTION_NAME")} cannot start.");
        return Task.CompletedTask;
    }
}
