using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using CircuitBreaker.Cli;
using CircuitBreaker.Tests.Support;

namespace CircuitBreaker.Tests.Cli;

/// <summary>
/// circuitctl against a DynamoDB that is stalled, unreachable or not DynamoDB at all (issue 17, item 8): a bounded
/// wait, then one line that says what failed and where, exit 1.
/// </summary>
[Collection(DynaliteTests.Name)]
public sealed class CircuitCtlEndpointTests(DynaliteFixture dynalite)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static Task<CircuitCtlRun> RunAsync(params string[] args) => CircuitCtlRun.RunAsync(args, Token);

    public enum Unreachable
    {
        UnresolvableHost,
        RefusedConnection,
        ResetConnection,
        TlsToPlainHttp,
    }

    [Fact]
    public async Task AStalledDynamoDbIsGivenUpAfterTheDefaultBoundWithOneLineNamingTheEndpointAndWhatTimedOut()
    {
        Assert.SkipUnless(StallableDynalite.Supported, "Stalls dynalite with SIGSTOP.");
        await using var stalled = await StallableDynalite.StartAsync(Token);
        stalled.Stall();
        var clock = Stopwatch.StartNew();

        var run = await RunAsync("status", "--endpoint-url", stalled.Endpoint.AbsoluteUri, "--table", stalled.Table);

        clock.Stop();
        Assert.Equal(CircuitCtlCommand.Failed, run.Exit);
        var line = Assert.Single(run.ErrorLines);
        Assert.StartsWith("circuitctl: ", line, StringComparison.Ordinal);
        Assert.Contains(stalled.Endpoint.AbsoluteUri, line, StringComparison.Ordinal);
        Assert.Contains("did not answer", line, StringComparison.Ordinal);
        Assert.Contains("Scan", line, StringComparison.Ordinal);
        Assert.Contains("10 s", line, StringComparison.Ordinal);
        Assert.DoesNotContain("operation was canceled", line, StringComparison.OrdinalIgnoreCase);

        // The bound is the promise: not the SDK's 3 attempts of 10 s each (30.5 s before), and not given up early.
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(9.5), TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task TheBoundIsSetWithTimeoutSecondsAndCoversAnActionAfterItsExistenceCheck()
    {
        Assert.SkipUnless(StallableDynalite.Supported, "Stalls dynalite with SIGSTOP.");
        await using var stalled = await StallableDynalite.StartAsync(Token);
        stalled.Stall();
        var clock = Stopwatch.StartNew();

        var run = await RunAsync("isolate", "--service", "orders", "--create", "--timeout-seconds", "2", "--endpoint-url", stalled.Endpoint.AbsoluteUri, "--table", stalled.Table);

        clock.Stop();
        Assert.Equal(CircuitCtlCommand.Failed, run.Exit);
        var line = Assert.Single(run.ErrorLines);
        Assert.Contains(stalled.Endpoint.AbsoluteUri, line, StringComparison.Ordinal);
        Assert.Contains("did not answer", line, StringComparison.Ordinal);
        Assert.Contains("2 s", line, StringComparison.Ordinal);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(12));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("1e30")]
    [InlineData("ten")]
    public async Task ATimeoutThatIsNotAPositiveNumberOfSecondsIsABadArgument(string timeout)
    {
        var run = await RunAsync("status", "--table", "t", "--endpoint-url", dynalite.Endpoint.AbsoluteUri, "--timeout-seconds", timeout);

        Assert.Equal(CircuitCtlCommand.UsageError, run.Exit);
        Assert.Contains("--timeout-seconds", Assert.Single(run.ErrorLines), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Unreachable.UnresolvableHost, "name resolution of host no-such-host.invalid failed")]
    [InlineData(Unreachable.RefusedConnection, "connection refused by 127.0.0.1:")]
    [InlineData(Unreachable.ResetConnection, "connection reset by 127.0.0.1:")]
    [InlineData(Unreachable.TlsToPlainHttp, "TLS handshake with 127.0.0.1:")]
    public async Task AnUnreachableEndpointIsOneLineSayingWhatFailed(Unreachable kind, string expected)
    {
        using var resetting = kind == Unreachable.ResetConnection ? new ResettingListener() : null;
        var endpoint = kind switch
        {
            Unreachable.UnresolvableHost => new Uri("http://no-such-host.invalid:8000/"),
            Unreachable.RefusedConnection => new Uri($"http://127.0.0.1:{ClosedPort()}/"),
            Unreachable.ResetConnection => resetting!.Endpoint,
            _ => new UriBuilder(dynalite.Endpoint) { Scheme = "https" }.Uri,
        };

        // Keys of the operator's own: a remote endpoint is signed for, and the failure must be the endpoint's, not a missing key's.
        var run = await CircuitCtlRun.RunAsync(
            ["status", "--service", "orders", "--region", "us-east-1", "--endpoint-url", endpoint.AbsoluteUri, "--table", "circuits"],
            Token,
            new Dictionary<string, string> { ["AWS_ACCESS_KEY_ID"] = "AKIDEXAMPLE", ["AWS_SECRET_ACCESS_KEY"] = "secret" });

        Assert.Equal(CircuitCtlCommand.Failed, run.Exit);
        var line = Assert.Single(run.ErrorLines);
        Assert.StartsWith("circuitctl: ", line, StringComparison.Ordinal);
        // A reset that reaches the client before it reads can surface as the end of the stream: both say the same thing.
        var said = kind == Unreachable.ResetConnection ? line.Replace($"connection closed by {endpoint.Authority} before it answered", $"connection reset by {endpoint.Authority}", StringComparison.Ordinal) : line;
        Assert.True(said.Contains(expected, StringComparison.Ordinal), line);
        Assert.Contains(endpoint.Authority, line, StringComparison.Ordinal);
        Assert.DoesNotContain("inner exception", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("status")]
    [InlineData("isolate")]
    [InlineData("close")]
    public async Task AnAnswerThatIsNotDynamoDbsIsAnErrorNamingTheEndpoint(string command)
    {
        // What an HTTP API (or any web server) answers: 200 with JSON, but no DynamoDB request id.
        await using var api = await CountingHttpServer.StartAsync(context =>
        {
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync("""{"message":"hello from the orders service","items":[]}""", context.RequestAborted);
        });

        string[] create = command == "status" ? [] : ["--create"];
        var run = await RunAsync([command, "--service", "orders", .. create, "--endpoint-url", api.Address.AbsoluteUri, "--table", "circuits"]);

        Assert.Equal(CircuitCtlCommand.Failed, run.Exit);
        var line = Assert.Single(run.ErrorLines);
        Assert.StartsWith("circuitctl: ", line, StringComparison.Ordinal);
        Assert.Contains(api.Address.AbsoluteUri, line, StringComparison.Ordinal);
        Assert.Contains("not DynamoDB", line, StringComparison.Ordinal);
        Assert.DoesNotContain("closed", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StatusWithoutServiceAgainstSomethingThatIsNotDynamoDbIsAnErrorNotAnEmptyTable()
    {
        await using var api = await CountingHttpServer.StartAsync(context =>
        {
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync("{}", context.RequestAborted);
        });

        var run = await RunAsync("status", "--endpoint-url", api.Address.AbsoluteUri, "--table", "circuits");

        Assert.Equal(CircuitCtlCommand.Failed, run.Exit);
        Assert.Contains("not DynamoDB", Assert.Single(run.ErrorLines), StringComparison.Ordinal);
        Assert.Empty(run.Output);
    }

    [Theory]
    [InlineData(404, """{"message":"Not Found"}""")]
    [InlineData(403, """{"message":"Forbidden"}""")]
    [InlineData(500, """{"__type":"InternalServerError","message":"oops"}""")]
    public async Task AnErrorAnswerThatIsNotDynamoDbsIsAnErrorNamingTheEndpoint(int status, string body)
    {
        // What API Gateway answers for a route it does not have, or a proxy for a refused request.
        await using var api = await CountingHttpServer.StartAsync(context =>
        {
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync(body, context.RequestAborted);
        });

        var run = await RunAsync("isolate", "--service", "orders", "--endpoint-url", api.Address.AbsoluteUri, "--table", "circuits", "--timeout-seconds", "3");

        Assert.Equal(CircuitCtlCommand.Failed, run.Exit);
        var line = Assert.Single(run.ErrorLines);
        Assert.Contains(api.Address.AbsoluteUri + " is not DynamoDB", line, StringComparison.Ordinal);
        Assert.Contains(status.ToString(System.Globalization.CultureInfo.InvariantCulture), line, StringComparison.Ordinal);
    }

    private static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>Accepts every connection and resets it at once (an RST, as a crashing proxy or a firewall sends).</summary>
    private sealed class ResettingListener : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();

        public ResettingListener()
        {
            _listener.Start();
            _ = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    try
                    {
                        using var socket = await _listener.AcceptSocketAsync(_stop.Token);
                        socket.LingerState = new LingerOption(true, 0);
                        socket.Close();
                    }
                    catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
                    {
                        return;
                    }
                }
            });
        }

        public Uri Endpoint => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            _stop.Dispose();
        }
    }
}
