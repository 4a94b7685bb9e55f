using System.Net;
using System.Net.Sockets;
using System.Text;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using CircuitBreaker.Aws.Configuration;
using CircuitBreaker.Cli;
using CircuitBreaker.Core.Configuration;
using CircuitBreaker.Core.Store;
using CircuitBreaker.Functions;
using CircuitBreaker.Functions.Runtime;
using CircuitBreaker.Local.Cli;
using CircuitBreaker.Local.Dynalite;
using CircuitBreaker.Local.Hosting;
using CircuitBreaker.Tests.Local.HostProcess;
using CircuitBreaker.Tests.Support;

namespace CircuitBreaker.Tests.Local.DynamoDb;

/// <summary>
/// <c>--dynamodb-endpoint URL</c>: the local host uses a DynamoDB it did not start (here a second dynalite, started by the
/// test, standing for DynamoDB Local or AWS) instead of starting dynalite, creates the table there when it is missing,
/// uses an existing one as it is, and says so in its banner; an endpoint that does not answer is one line naming it and
/// exit code 1, with nothing left running.
/// </summary>
[Collection(WholeSystemTests.Name)]
public sealed class GivenDynamoDbEndpointTests
{
    private static readonly TimeSpan StartBound = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    // No keys: the host must sign with dummies, which dynalite takes, whatever the machine running the tests has set.
    private static readonly Dictionary<string, string?> NoAwsKeys = new()
    {
        ["AWS_ACCESS_KEY_ID"] = null,
        ["AWS_SECRET_ACCESS_KEY"] = null,
        ["AWS_SESSION_TOKEN"] = null,
        ["AWS_REGION"] = null,
        ["AWS_DEFAULT_REGION"] = null,
        ["AWS_PROFILE"] = null,
    };

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TheHostCreatesTheMissingTableThereUsesItAndStartsNoDynaliteOfItsOwn()
    {
        if (!LocalHostProcess.Supported)
        {
            Assert.Skip("Needs Linux with setsid and /proc to run the host in its own process group.");
        }

        await using var external = await StartDynaliteAsync();
        using var client = ClientOf(external.Endpoint);

        using var host = LocalHostProcess.Start(NoAwsKeys,
            "--port", "0", "--downstream", "simulate:fail", "--failure-threshold", "100", "--dynamodb-endpoint", external.Endpoint.AbsoluteUri);
        await host.Ready.WaitAsync(StartBound, Token);

        var banner = host.Output.Split('\n').Single(line => line.StartsWith("DynamoDB:", StringComparison.Ordinal));
        Assert.StartsWith(
            $"DynamoDB:            {external.Endpoint} (given by --dynamodb-endpoint, dummy credentials, region us-east-1; table circuit-breaker; "
                + $"circuitctl status --endpoint-url {external.Endpoint} --region us-east-1 --table circuit-breaker ",
            banner,
            StringComparison.Ordinal);
        Assert.Equal(TableStatus.ACTIVE, (await client.DescribeTableAsync(LocalSystem.TableName, Token)).Table.TableStatus);

        // The host's only process is itself: no node serving a dynalite of its own.
        Assert.Equal([host.ProcessGroup], host.ProcessesLeftInGroup());

        // A failed call is recorded, by the recorder, in the given DynamoDB's table.
        using var http = new HttpClient { BaseAddress = await host.ApiAddress, Timeout = Bound };
        (await http.GetAsync("/", Token)).Dispose();
        var until = DateTime.UtcNow + Bound;
        while ((await client.ScanAsync(new ScanRequest { TableName = LocalSystem.TableName }, Token)).Count == 0)
        {
            Assert.True(DateTime.UtcNow < until, $"nothing recorded; stdout:\n{host.Output}\nstderr:\n{host.Error}");
            await Task.Delay(100, Token);
        }

        host.SignalGroup("INT");
        Assert.Equal(0, await host.WaitForExitAsync(Bound));
        Assert.True(external.IsRunning, "the host stopped a DynamoDB it did not start");
    }

    [Fact]
    public async Task AnEndpointThatDoesNotAnswerIsOneLineNamingItExitCodeOneAndNothingLeftRunning()
    {
        if (!LocalHostProcess.Supported)
        {
            Assert.Skip("Needs Linux with setsid and /proc to run the host in its own process group.");
        }

        var closed = $"http://127.0.0.1:{ClosedPort()}/";

        using var host = LocalHostProcess.Start(NoAwsKeys, "--port", "0", "--downstream", "simulate:ok", "--dynamodb-endpoint", closed);
        var exit = await host.WaitForExitAsync(StartBound);

        var context = $"stdout:\n{host.Output}\nstderr:\n{host.Error}";
        Assert.True(exit == 1, $"exit {exit}; {context}");
        var line = Assert.Single(host.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"DynamoDB at {closed} (--dynamodb-endpoint) is unreachable: ", line, StringComparison.Ordinal);
        Assert.EndsWith(" Nothing was started.", line, StringComparison.Ordinal);
        Assert.DoesNotContain("HTTP API:", host.Output, StringComparison.Ordinal);
        Assert.Empty(host.ProcessesLeftInGroup());
    }

    [Fact]
    public async Task AnExistingTableIsUsedAsItIs()
    {
        await using var external = await StartDynaliteAsync();
        using (var client = ClientOf(external.Endpoint))
        {
            await new CircuitTableProvisioner().CreateAsync(client, LocalSystem.TableName, Token);
        }

        // The circuit of the simulator's host is isolated in the table before the host starts.
        var isolate = await CircuitCtlAsync("isolate", "--endpoint-url", external.Endpoint.AbsoluteUri, "--region", "us-east-1", "--table", LocalSystem.TableName,
            "--service", "127.0.0.1", "--reason", "isolated before the host started", "--create");
        Assert.Equal((0, string.Empty), (isolate.Exit, isolate.Error));

        var text = new StringWriter();
        var output = TextWriter.Synchronized(text);
        using var error = new StringWriter();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var functionLog = new LogCapture();
        var run = LocalCommand.RunAsync(
            ["--port", "0", "--downstream", "simulate:ok", "--dynamodb-endpoint", external.Endpoint.AbsoluteUri],
            output,
            error,
            (environment, token) => LambdaEntryPoint.RunAsync(environment, functionLog, TimeProvider.System, new RuntimeLoopOptions { ExportTraceIdToEnvironment = false }, token),
            _ => throw new InvalidOperationException("dynalite must not start"),
            TimeProvider.System,
            stop.Token,
            hostEnvironment: _ => null);
        var api = await ApiAddressAsync(output, text, run, error);

        using var http = new HttpClient { BaseAddress = api, Timeout = Bound };
        using var response = await http.GetAsync("/", Token);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("circuit-isolated", await response.Content.ReadAsStringAsync(Token), StringComparison.Ordinal);
        await stop.CancelAsync();
        Assert.Equal(0, await run.WaitAsync(Bound, Token));
    }

    private static async Task<Uri> ApiAddressAsync(TextWriter output, StringWriter text, Task<int> run, StringWriter error)
    {
        var until = DateTime.UtcNow + StartBound;
        while (true)
        {
            string written;
            lock (output)
            {
                written = text.ToString();
            }

            if (written.Contains("Press Ctrl+C", StringComparison.Ordinal))
            {
                var line = written.Split(Environment.NewLine).Single(line => line.StartsWith("HTTP API:", StringComparison.Ordinal));
                return new Uri(line["HTTP API:".Length..].Trim());
            }

            Assert.True(DateTime.UtcNow < until && !run.IsCompleted, $"not started: {written}\n{error}");
            await Task.Delay(50, Token);
        }
    }

    private static async Task<(int Exit, string Output, string Error)> CircuitCtlAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await CircuitCtlCommand.RunAsync(args, output, error, _ => null, TimeProvider.System, Token);
        return (exit, output.ToString(), error.ToString());
    }

    private static async Task<DynaliteServer> StartDynaliteAsync() =>
        await DynaliteServer.StartAsync(DynaliteOptions.ForRepository(DynaliteFixture.RepositoryRoot), Token);

    private static IAmazonDynamoDB ClientOf(Uri endpoint) =>
        AwsClientFactory.DynamoDb(endpoint, DynaliteFixture.Region, TimeSpan.FromSeconds(5), DynaliteFixture.Credentials);

    // A port nothing listens on: bound, then released.
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
