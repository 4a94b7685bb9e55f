using CircuitBreaker.Functions.Runtime;

namespace CircuitBreaker.Functions;

/// <summary>The <c>bootstrap</c> executable: serves the handler that <c>_HANDLER</c> names through the Runtime API.</summary>
internal static class Program
{
    private static async Task<int> Main()
    {
        using var stop = new CancellationTokenSource();
        using var onSigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(
            System.Runtime.InteropServices.PosixSignal.SIGTERM,
            context =>
            {
                context.Cancel = true;
                stop.Cancel();
            });
        return await LambdaEntryPoint.RunAsync(
            Environment.GetEnvironmentVariable, Console.Out, TimeProvider.System, new RuntimeLoopOptions(), stop.Token).ConfigureAwait(false);
    }
}
