using System.Text;
using CircuitBreaker.Local.LambdaService;

namespace CircuitBreaker.Tests.Support;

/// <summary>
/// The local host's Lambda service as the Runtime API of a runtime under test: the test, or a process it starts, is the
/// function's instance, so the service's instance starter does nothing; invocations wait up to a minute to be taken.
/// </summary>
internal static class LocalRuntimeApi
{
    /// <summary>The function served unless a test names another.</summary>
    public const string Function = "webservice";

    /// <summary>Starts a Lambda service for <paramref name="function"/> on 127.0.0.1:<paramref name="port"/> (0: a free port).</summary>
    public static async Task<LocalLambdaService> StartAsync(
        string function = Function, LocalLambdaServiceOptions? options = null, TimeProvider? time = null, int port = 0)
    {
        var service = new LocalLambdaService(
            [function],
            static (_, _) => Task.CompletedTask,
            options ?? new LocalLambdaServiceOptions(QueueWait: TimeSpan.FromMinutes(1)),
            time ?? TimeProvider.System,
            TextWriter.Null);
        try
        {
            await service.StartAsync(port, TestContext.Current.CancellationToken);
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }

        return service;
    }

    /// <summary>Queues an invocation of the one function with a 30 s timeout.</summary>
    public static StartedInvocation Enqueue(this LocalLambdaService service, string eventJson, InvocationOptions? options = null, string function = Function) =>
        service.Enqueue(Encoding.UTF8.GetBytes(eventJson), options, function);

    /// <inheritdoc cref="Enqueue(LocalLambdaService, string, InvocationOptions?, string)"/>
    public static StartedInvocation Enqueue(this LocalLambdaService service, byte[] payload, InvocationOptions? options = null, string function = Function, TimeSpan? timeout = null) =>
        service.Start(function, payload, timeout ?? TimeSpan.FromSeconds(30), options, TestContext.Current.CancellationToken);

    /// <summary>How the invocation ended, failing with its request id named when it does not end in time.</summary>
    public static async Task<InvocationResult> WaitAsync(this StartedInvocation invocation, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        try
        {
            return await invocation.Completion.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Invocation {invocation.RequestId} got no response or error within {timeout}.");
        }
    }

    /// <summary>The function's <c>next</c> requests waiting now.</summary>
    public static int Polling(this LocalLambdaService service, string function = Function) => service.Statistics(function).Polling;

    /// <summary>The body the function posted, as UTF-8 text.</summary>
    public static string BodyText(this InvocationResult result) => Encoding.UTF8.GetString(result.Payload);

    /// <summary>The error document the function posted; fails for a response.</summary>
    public static LambdaErrorDocument Error(this InvocationResult result) => result.Outcome == InvocationOutcome.FunctionError
        ? LambdaErrorDocument.Parse(result.Payload)
        : throw new InvalidOperationException($"Invocation {result.RequestId} ended as {result.Outcome}, not with an error: {result.BodyText()}");
}
