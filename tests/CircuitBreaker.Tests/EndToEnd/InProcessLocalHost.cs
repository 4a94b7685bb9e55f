using CircuitBreaker.Functions;
using CircuitBreaker.Functions.Runtime;
using CircuitBreaker.Local.Cli;
using CircuitBreaker.Local.Dynalite;
using CircuitBreaker.Local.Hosting;
using CircuitBreaker.Tests.Support;

namespace CircuitBreaker.Tests.EndToEnd;

/// <summary>
/// The whole local system as <c>dotnet run --project local</c> composes it — HTTP API, Lambda service running the real
/// functions through their runtime loop, EventBridge routing, dynalite — on free ports, with the test's options.
/// </summary>
internal sealed class InProcessLocalHost : IAsyncDisposable
{
    private CircuitBreaker.Local.DynamoDb.DynamoDbProxy? _dynamoDbProxy;
    private bool _ownsDynamoDb = true;

    private InProcessLocalHost(LocalDynamoDb dynamoDb, LocalSystem system, LogCapture functionLog, LogCapture console)
    {
        DynamoDb = dynamoDb;
        System = system;
        FunctionLog = functionLog;
        Console = console;
        Http = new HttpClient { BaseAddress = system.Api.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    public LocalDynamoDb DynamoDb { get; }

    public LocalSystem System { get; }

    /// <summary>Every JSON line the function instances wrote.</summary>
    public LogCapture FunctionLog { get; }

    /// <summary>What the servers print on the host's console (dropped events, state-change events).</summary>
    public LogCapture Console { get; }

    public HttpClient Http { get; }

    public static Task<InProcessLocalHost> StartAsync(params string[] options) => StartAsync(counter: null, options);

    /// <summary>Starts the stack; with <paramref name="counter"/>, the functions reach dynalite through a proxy that counts each DynamoDB call.</summary>
    public static async Task<InProcessLocalHost> StartAsync(CircuitBreaker.Local.DynamoDb.DynamoDbRequestCounter? counter, params string[] options)
    {
        var parsed = LocalOptionsParser.Parse(["--port", "0", .. options]);
        var localOptions = parsed.Options ?? throw new ArgumentException(string.Join(" ", parsed.Errors));
        var cancellation = TestContext.Current.CancellationToken;
        var dynamoDb = await LocalDynamoDb.StartAsync(DynaliteFixture.RepositoryRoot, LocalSystem.TableName, LocalSystem.Region, TimeProvider.System, TextWriter.Null, cancellation);
        var functionLog = new LogCapture();
        var console = new LogCapture();
        CircuitBreaker.Local.DynamoDb.DynamoDbProxy? proxy = null;
        try
        {
            proxy = counter is null ? null : await CircuitBreaker.Local.DynamoDb.DynamoDbProxy.StartAsync(dynamoDb.Endpoint, counter, null, cancellation);
            var system = await LocalSystem.StartAsync(
                localOptions,
                (environment, token) => LambdaEntryPoint.RunAsync(environment, functionLog, TimeProvider.System, new RuntimeLoopOptions { ExportTraceIdToEnvironment = false }, token),
                proxy?.Endpoint ?? dynamoDb.Endpoint,
                TimeProvider.System,
                console,
                onRequest: null,
                cancellation);
            return new InProcessLocalHost(dynamoDb, system, functionLog, console) { _dynamoDbProxy = proxy };
        }
        catch
        {
            if (proxy is not null)
            {
                await proxy.DisposeAsync();
            }

            await dynamoDb.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Starts the stack over a DynamoDB that outlives it (as a table outlives a stopped local host): the test disposes
    /// <paramref name="dynamoDb"/>.
    /// </summary>
    public static async Task<InProcessLocalHost> StartOverAsync(LocalDynamoDb dynamoDb, params string[] options)
    {
        var parsed = LocalOptionsParser.Parse(["--port", "0", .. options]);
        var localOptions = parsed.Options ?? throw new ArgumentException(string.Join(" ", parsed.Errors));
        var functionLog = new LogCapture();
        var console = new LogCapture();
        var system = await LocalSystem.StartAsync(
            localOptions,
            (environment, token) => LambdaEntryPoint.RunAsync(environment, functionLog, TimeProvider.System, new RuntimeLoopOptions { ExportTraceIdToEnvironment = false }, token),
            dynamoDb.Endpoint,
            TimeProvider.System,
            console,
            onRequest: null,
            TestContext.Current.CancellationToken);
        return new InProcessLocalHost(dynamoDb, system, functionLog, console) { _ownsDynamoDb = false };
    }

    /// <summary>Waits for the n-th circuit transition line to <paramref name="to"/>.</summary>
    public Task<string> WaitForTransitionAsync(string to, TimeSpan timeout) =>
        FunctionLog.WaitForLineAsync(line => line.Contains("\"message\":\"circuit transition\"", StringComparison.Ordinal)
            && line.Contains($"\"to\":\"{to}\"", StringComparison.Ordinal), timeout, TestContext.Current.CancellationToken);

    public async Task<(int Status, TimeSpan Elapsed, HttpResponseMessage Response)> GetAsync(string path = "/")
    {
        var watch = global::System.Diagnostics.Stopwatch.StartNew();
        var response = await Http.GetAsync(path, TestContext.Current.CancellationToken);
        await response.Content.LoadIntoBufferAsync(TestContext.Current.CancellationToken);
        return ((int)response.StatusCode, watch.Elapsed, response);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await System.DisposeAsync();
        if (_dynamoDbProxy is not null)
        {
            await _dynamoDbProxy.DisposeAsync();
        }

        if (_ownsDynamoDb)
        {
            await DynamoDb.DisposeAsync();
        }
    }
}
