using System.Diagnostics;
using Amazon.DynamoDBv2;
using CircuitBreaker.Aws.Configuration;
using CircuitBreaker.Aws.DynamoDb;
using CircuitBreaker.Core.Configuration;
using CircuitBreaker.Core.Store;
using CircuitBreaker.Local.Dynalite;
using CircuitBreaker.Tests.Support;

namespace CircuitBreaker.Tests.Local.Dynalite;

public sealed class DynaliteServerTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static DynaliteOptions Options => DynaliteOptions.ForRepository(DynaliteFixture.RepositoryRoot);

    [Fact]
    public async Task ServesDynamoDbOnAFreeLoopbackPort()
    {
        await using var first = await DynaliteServer.StartAsync(Options, Token);
        await using var second = await DynaliteServer.StartAsync(Options, Token);

        Assert.Equal("127.0.0.1", first.Endpoint.Host);
        Assert.NotEqual(first.Endpoint.Port, second.Endpoint.Port);
        using var client = Client(first);
        var tables = await client.ListTablesAsync(new Amazon.DynamoDBv2.Model.ListTablesRequest(), Token);
        Assert.Empty(tables.TableNames ?? []);
    }

    [Fact]
    public async Task ARelativeNodeModulesFolderIsResolvedAgainstTheWorkingDirectory()
    {
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, Path.Combine(DynaliteFixture.RepositoryRoot, "node_modules"));

        await using var server = await DynaliteServer.StartAsync(new DynaliteOptions { NodeModulesDirectory = relative }, Token);

        Assert.True(server.IsRunning);
    }

    [Fact]
    public async Task StoppingEndsTheNodeProcess()
    {
        var server = await DynaliteServer.StartAsync(Options, Token);
        using var process = Process.GetProcessById(server.ProcessId);

        await server.StopAsync();

        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(10)));
        await server.StopAsync();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task AfterAKillTheStoreIsUnavailableAndARestartServesTheSameEndpointEmpty()
    {
        await using var server = await DynaliteServer.StartAsync(Options, Token);
        using var client = Client(server);
        var provisioner = new CircuitTableProvisioner();
        await provisioner.CreateAsync(client, "circuits", Token);
        var store = new DynamoDbCircuitStore(client, "circuits");
        Assert.True(await store.TryOpenAsync("svc", 0, DateTimeOffset.UnixEpoch, Token));
        var endpoint = server.Endpoint;
        var firstProcess = server.ProcessId;

        server.Kill();
        await Assert.ThrowsAsync<CircuitStoreUnavailableException>(() => store.GetAsync("svc", Token));
        Assert.False(server.IsRunning);

        await server.RestartAsync(Token);

        Assert.Equal(endpoint, server.Endpoint);
        Assert.NotEqual(firstProcess, server.ProcessId);
        await provisioner.CreateAsync(client, "circuits", Token);
        Assert.Equal(0, (await store.GetAsync("svc", Token)).Version);
    }

    [Fact]
    public async Task StoppingAfterARestartThatCouldNotStartANodeIsQuiet()
    {
        var server = await DynaliteServer.StartAsync(Options, Token);
        server.Kill();
        var until = DateTime.UtcNow.AddSeconds(10);
        while (server.IsRunning && DateTime.UtcNow < until)
        {
            await Task.Delay(20, Token);
        }

        // The restart's new node cannot listen: the port is taken, so the restart ends with no node at all.
        var squatter = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, server.Endpoint.Port);
        squatter.Start();
        try
        {
            await Assert.ThrowsAsync<DynaliteUnavailableException>(() => server.RestartAsync(Token));
        }
        finally
        {
            squatter.Stop();
        }

        Assert.False(server.IsRunning);
        await server.StopAsync();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task AStopRacingARestartLeavesNoNodeRunning()
    {
        var server = await DynaliteServer.StartAsync(Options, Token);
        server.Kill();

        var restart = server.RestartAsync(Token);
        var stop = server.StopAsync();
        await stop;
        try
        {
            await restart;
        }
        catch (ObjectDisposedException)
        {
            // The stop came first: nothing to restart.
        }

        Assert.False(server.IsRunning);
        Assert.DoesNotContain(Process.GetProcessesByName("node"), node => CommandLineOf(node.Id).TrimEnd().EndsWith($" {server.Endpoint.Port}", StringComparison.Ordinal));
    }

    private static string CommandLineOf(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }

    [Fact]
    public async Task WithoutDynaliteInstalledTheErrorSaysToRunNpmCi()
    {
        var empty = Directory.CreateTempSubdirectory("no-node-modules-");
        try
        {
            var options = new DynaliteOptions { NodeModulesDirectory = Path.Combine(empty.FullName, "node_modules") };

            var error = await Assert.ThrowsAsync<DynaliteUnavailableException>(() => DynaliteServer.StartAsync(options, Token));

            Assert.Contains("npm ci", error.Message, StringComparison.Ordinal);
            Assert.Contains(empty.FullName, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            empty.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task WithoutNodeTheErrorSaysHowToInstallIt()
    {
        var options = Options with { NodeExecutable = "/nonexistent/bin/node" };

        var error = await Assert.ThrowsAsync<DynaliteUnavailableException>(() => DynaliteServer.StartAsync(options, Token));

        Assert.Contains("apt-get install", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ANodeThatExitsAtOnceFailsTheStartWithItsOutput()
    {
        // `false` stands in for a node that cannot load dynalite: it exits before ever listening.
        var options = Options with { NodeExecutable = "/bin/false" };

        var error = await Assert.ThrowsAsync<DynaliteUnavailableException>(() => DynaliteServer.StartAsync(options, Token));

        Assert.Contains("exited with code 1", error.Message, StringComparison.Ordinal);
    }

    private static IAmazonDynamoDB Client(DynaliteServer server) =>
        AwsClientFactory.DynamoDb(server.Endpoint, DynaliteFixture.Region, TimeSpan.FromSeconds(2), DynaliteFixture.Credentials, maxErrorRetry: 0);
}
