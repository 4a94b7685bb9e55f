using System.Diagnostics;
using CircuitBreaker.Contract;
using CircuitBreaker.Local.Hosting;
using CircuitBreaker.Tests.Support;

namespace CircuitBreaker.Tests.EndToEnd;

/// <summary>
/// Two independent "user functions" — two processes of the Polly sample (polly/samples/OrdersFunction) — share one
/// circuit through the local host's table and bus: the failures of one are published on the bus, the local recorder
/// opens the circuit, and the other is refused without calling its dependency. The local webservice, which runs the
/// same gate, is refused too.
/// </summary>
[Collection(WholeSystemTests.Name)]
public sealed class PollyUserFunctionsTests
{
    /// <summary>The Native AOT build of the sample, when set (as CI sets it); otherwise the tests run the sample's build with dotnet.</summary>
    public const string AotSampleVariable = "CIRCUIT_BREAKER_ORDERS_FUNCTION";

    private static readonly TimeSpan TransitionBound = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task FailuresOfOneProcessOpenTheCircuitForAnotherAndForTheWebservice()
    {
        await using var stack = await InProcessLocalHost.StartAsync(
            "--downstream", "simulate:ok", "--failure-threshold", "3", "--window-seconds", "60", "--open-seconds", "30");
        var environment = UserFunctionEnvironment(stack);

        var healthyBefore = await RunUserFunctionAsync(environment, "up", "1001");
        Assert.Equal("GET /orders/1001 -> 200 (order 1001); calls into orders-api: 1", Assert.Single(healthyBefore));

        // The sample retries twice with a 200 ms timeout inside the breaker: one request, three failures.
        var failing = await RunUserFunctionAsync(environment, "down", "2001");
        Assert.StartsWith("GET /orders/2001 -> 504", Assert.Single(failing), StringComparison.Ordinal);
        await stack.WaitForTransitionAsync("open", TransitionBound);

        var refused = await RunUserFunctionAsync(environment, "up", "1002");
        var line = Assert.Single(refused);
        Assert.StartsWith("GET /orders/1002 -> 503 (orders-api is failing; retry after ", line, StringComparison.Ordinal);
        Assert.EndsWith("calls into orders-api: 0", line, StringComparison.Ordinal);

        var callsBefore = stack.System.Simulator!.Calls;
        var (status, _, _) = await stack.GetAsync();
        Assert.Equal(503, status);
        Assert.Equal(callsBefore, stack.System.Simulator.Calls);
    }

    /// <summary>What a deployed user function is given: the stack's names and settings, endpoints as the local host prints them.</summary>
    private static Dictionary<string, string> UserFunctionEnvironment(InProcessLocalHost stack)
    {
        var environment = new Dictionary<string, string>(stack.System.Settings.ToEnvironment())
        {
            [FunctionEnvironment.TableName] = LocalSystem.TableName,
            [FunctionEnvironment.EventBusName] = LocalSystem.BusName,
            [FunctionEnvironment.Region] = LocalSystem.Region,
            [FunctionEnvironment.DynamoDbEndpointUrl] = stack.DynamoDb.Endpoint.AbsoluteUri,
            [FunctionEnvironment.EventsEndpointUrl] = stack.System.Events.BaseAddress.AbsoluteUri,
            ["AWS_ACCESS_KEY_ID"] = "local",
            ["AWS_SECRET_ACCESS_KEY"] = "local",
        };
        return environment;
    }

    /// <summary>Runs the sample as its own process; returns its request lines.</summary>
    private static async Task<IReadOnlyList<string>> RunUserFunctionAsync(Dictionary<string, string> environment, params string[] arguments)
    {
        // CI sets the variable to the Native AOT binary, so the AWS backend is also exercised after trimming.
        var start = Environment.GetEnvironmentVariable(AotSampleVariable) is { Length: > 0 } aotBinary
            ? new ProcessStartInfo(aotBinary, arguments)
            : new ProcessStartInfo(DotnetHost(), ["exec", SampleAssembly(), .. arguments]);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;

        // Only what the test gives: nothing of this process's AWS setup may leak into the user function.
        foreach (var name in start.Environment.Keys.Where(name => name.StartsWith("AWS_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("The sample did not start.");
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var errors = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        var stdout = await output;
        Assert.True(process.ExitCode == 0, $"the sample exited {process.ExitCode}: {stdout} {await errors}");
        return [.. stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(line => line.StartsWith("GET ", StringComparison.Ordinal))];
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    // Built with the tests (a ProjectReference that only orders the build), in the same configuration.
    private static string SampleAssembly()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var path = Path.Combine(DynaliteFixture.RepositoryRoot, "polly", "samples", "OrdersFunction", "bin", configuration, "net10.0", "OrdersFunction.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException("The Polly sample is not built; build the tests project.", path);
    }
}
