using CircuitBreaker.Contract;
using CircuitBreaker.Core.Configuration;
using CircuitBreaker.Functions.Configuration;
using CircuitBreaker.Core.Logging;
using CircuitBreaker.Functions.Runtime;

namespace CircuitBreaker.Functions;

/// <summary>
/// One Lambda instance from start to end: read the environment, build the handler, serve invocations until
/// cancelled. The <c>bootstrap</c> process calls it once with the process environment; the local host calls it
/// once per in-process instance with that instance's environment.
/// </summary>
internal static class LambdaEntryPoint
{
    /// <summary>Exit code when the instance could not start: bad configuration, reported to the Runtime API.</summary>
    public const int InitFailed = 1;

    /// <summary>Exit code when there is no Runtime API to talk to at all.</summary>
    public const int NoRuntimeApi = 2;

    /// <summary>Exit code when the Runtime API said the runtime must stop.</summary>
    public const int RuntimeApiFatal = 3;

    /// <summary>Serves invocations until <paramref name="cancellationToken"/> is cancelled; returns the exit code.</summary>
    public static async Task<int> RunAsync(
        Func<string, string?> environment, TextWriter logOutput, TimeProvider time, RuntimeLoopOptions loopOptions, CancellationToken cancellationToken)
    {
        var log = new FunctionLog(logOutput, time, environment(FunctionEnvironment.Handler) ?? "unknown");
        using var runtimeHttp = RuntimeApiClient.CreateHttpClient();
        RuntimeApiClient client;
        try
        {
            client = new RuntimeApiClient(runtimeHttp, environment(FunctionEnvironment.RuntimeApi) ?? string.Empty);
        }
        catch (FunctionConfigurationException error)
        {
            log.Error("not started: no usable Runtime API address", fields: ("error", error));
            return NoRuntimeApi;
        }

        FunctionInstance instance;
        try
        {
            instance = FunctionInstance.Create(environment, time, log);
        }
        catch (FunctionConfigurationException error)
        {
            log.Error("init failed: invalid configuration", fields: ("problems", string.Join(" ", error.Problems)));
            await client.PostInitErrorAsync(error, cancellationToken).ConfigureAwait(false);
            return InitFailed;
        }

        using (instance)
        {
            var routes = instance.Settings.Routes;
            var first = routes.Routes.Count > 0 ? routes.Routes[0].Circuit : null;
            var policy = first?.Policy ?? routes.StackWide;
            log.Info(
                "instance started",
                new LogScope(ServiceId: routes.ServiceIds is [var serviceId, ..] ? serviceId : null),
                ("downstream", first is null ? null : Printable(first.Target.DownstreamUrl)),
                ("failureThreshold", policy.FailureThreshold),
                ("windowSeconds", policy.Window.TotalSeconds),
                ("openSeconds", policy.OpenDuration.TotalSeconds),
                ("routes", instance.Settings.Routes.IsShorthand ? null : string.Join(", ", instance.Settings.Routes.Routes.Select(
                    route => $"{route.Prefix} {route.ServiceId} {Printable(route.Circuit.Target.DownstreamUrl)}"))));
            try
            {
                await new LambdaRuntimeLoop(client, instance.Handler, log, time, loopOptions).RunAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (RuntimeApiFatalException error)
            {
                log.Error("stopping: the Runtime API reported a fatal error", fields: ("error", error));
                return RuntimeApiFatal;
            }
        }

        return 0;
    }

    // Scheme, host, port and path only: user information is refused at validation, and a query may hold an API key.
    private static string Printable(Uri downstream) =>
        downstream.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped);
}
