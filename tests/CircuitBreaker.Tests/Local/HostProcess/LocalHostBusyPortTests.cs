using System.Net;
using System.Net.Sockets;
using CircuitBreaker.Local.Cli;
using CircuitBreaker.Local.Hosting;

namespace CircuitBreaker.Tests.Local.HostProcess;

/// <summary>A <c>--port</c> that something else holds is a bad option: one line, exit code 2, nothing left running.</summary>
[Collection(CircuitBreaker.Tests.Support.WholeSystemTests.Name)]
public sealed class LocalHostBusyPortTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ABusyPortGivesOneLineNamingItAndExitCode2()
    {
        if (!LocalHostProcess.Supported)
        {
            Assert.Skip("Needs Linux with setsid and /proc to run the host in its own process group.");
        }

        var occupier = new TcpListener(IPAddress.Loopback, 0);
        occupier.Start();
        try
        {
            var port = ((IPEndPoint)occupier.LocalEndpoint).Port;
            using var host = LocalHostProcess.Start("--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));

            var exitCode = await host.WaitForExitAsync(TimeSpan.FromSeconds(60));

            Assert.Equal(LocalOptionsParseResult.UsageErrorExitCode, exitCode);
            var line = Assert.Single(host.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith($"port {port} is in use: stop what uses it or pass --port N", line, StringComparison.Ordinal);
            Assert.DoesNotContain(" at ", host.Output, StringComparison.Ordinal);
            Assert.Empty(host.ProcessesLeftInGroup());
        }
        finally
        {
            occupier.Stop();
        }
    }

    [Fact]
    public async Task KestrelFailingToBindATakenPortIsRecognised()
    {
        var occupier = new TcpListener(IPAddress.Loopback, 0);
        occupier.Start();
        try
        {
            var port = ((IPEndPoint)occupier.LocalEndpoint).Port;
            Assert.True(PortInUse.IsTaken(port));

            var failure = await Assert.ThrowsAnyAsync<Exception>(() => LoopbackHttpServer.StartAsync(port, (_, _) => Task.CompletedTask, null, Token));

            Assert.True(PortInUse.IsBindFailure(failure), failure.ToString());
        }
        finally
        {
            occupier.Stop();
        }

        Assert.False(PortInUse.IsBindFailure(new IOException("disk full")));
    }
}
