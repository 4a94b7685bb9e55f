using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace CircuitBreaker.Bench;

/// <summary>
/// dynalite (npm, in memory) on a loopback port, started from the repository's node_modules and stopped
/// with the bench. One per measured run, so the two variants never share a server's warm state.
/// </summary>
internal sealed class DynaliteProcess : IAsyncDisposable
{
    private readonly Process _node;

    private DynaliteProcess(Process node, Uri endpoint)
    {
        _node = node;
        Endpoint = endpoint;
    }

    public Uri Endpoint { get; }

    public int ProcessId => _node.Id;

    public static async Task<DynaliteProcess> StartAsync(string repositoryRoot, CancellationToken cancellationToken)
    {
        var cli = Path.Combine(repositoryRoot, "node_modules", "dynalite", "cli.js");
        if (!File.Exists(cli))
        {
            throw new InvalidOperationException($"dynalite is not installed at {cli}: run `npm ci --no-audit --no-fund` in {repositoryRoot}.");
        }

        var port = FreePort();
        var start = new ProcessStartInfo("node", [cli, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var node = Process.Start(start) ?? throw new InvalidOperationException("node could not be started.");
        node.OutputDataReceived += (_, _) => { };
        node.ErrorDataReceived += (_, _) => { };
        node.BeginOutputReadLine();
        node.BeginErrorReadLine();
        var endpoint = new Uri($"http://127.0.0.1:{port}/");
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken).ConfigureAwait(false);
                return new DynaliteProcess(node, endpoint);
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !node.HasExited)
            {
                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_node.HasExited)
        {
            _node.Kill();
            await _node.WaitForExitAsync().ConfigureAwait(false);
        }

        _node.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
