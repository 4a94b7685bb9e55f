using System.Globalization;

namespace CircuitBreaker.Local.Dynalite;

/// <summary>
/// One dynalite (DynamoDB's API, in memory) on a loopback port, run by node as a child that dies with this
/// process (see <see cref="DynaliteLauncherScript"/>). Its data lives only as long as the node process.
/// </summary>
internal sealed class DynaliteServer : IAsyncDisposable
{
    private static readonly TimeSpan GracefulStopTimeout = TimeSpan.FromSeconds(5);

    private readonly DynaliteOptions _options;
    private readonly string _dynaliteDirectory;
    private readonly string _nodePath;

    // Restart and stop each replace or end the node; one at a time, so a stop never meets a half-restarted node.
    private readonly SemaphoreSlim _lifecycle = new(1, 1);

    // Null between a restart's kill and its new node, and after a restart that could not start one.
    private DynaliteNodeProcess? _node;
    private bool _stopped;

    private DynaliteServer(DynaliteOptions options, string dynaliteDirectory, string nodePath, DynaliteNodeProcess node)
    {
        _options = options;
        _dynaliteDirectory = dynaliteDirectory;
        _nodePath = nodePath;
        _node = node;
        Endpoint = new Uri($"http://127.0.0.1:{node.Port.ToString(CultureInfo.InvariantCulture)}/");
    }

    /// <summary>The DynamoDB endpoint, e.g. <c>http://127.0.0.1:41234/</c>; stays the same across <see cref="RestartAsync"/>.</summary>
    public Uri Endpoint { get; }

    /// <summary>The node process's id.</summary>
    /// <exception cref="InvalidOperationException">No node runs (a restart could not start one).</exception>
    public int ProcessId => (_node ?? throw new InvalidOperationException("dynalite is not running.")).Process.Id;

    /// <summary>Whether the node process is still running.</summary>
    public bool IsRunning => _node is { HasExited: false };

    /// <summary>
    /// Starts dynalite and returns once it accepts connections.
    /// </summary>
    /// <exception cref="DynaliteUnavailableException">node or dynalite is not installed, or dynalite did not start.</exception>
    public static async Task<DynaliteServer> StartAsync(DynaliteOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        // node's require() resolves a relative path against its own module paths, not the working directory.
        var dynaliteDirectory = Path.GetFullPath(Path.Combine(options.NodeModulesDirectory, "dynalite"));
        if (!File.Exists(Path.Combine(dynaliteDirectory, "index.js")))
        {
            var repository = Path.GetDirectoryName(Path.GetFullPath(options.NodeModulesDirectory).TrimEnd(Path.DirectorySeparatorChar));
            throw new DynaliteUnavailableException(
                $"dynalite is not installed in {options.NodeModulesDirectory}: run `npm ci --no-audit --no-fund` in {repository}.");
        }

        var nodePath = FindExecutable(options.NodeExecutable) ?? throw new DynaliteUnavailableException(
            $"node ('{options.NodeExecutable}') was not found: install it with `apt-get install -y nodejs npm`, then run `npm ci` in the repository root.");

        var node = await DynaliteNodeProcess.StartAsync(nodePath, dynaliteDirectory, options.Port, options.StartupTimeout, cancellationToken)
            .ConfigureAwait(false);
        return new DynaliteServer(options, dynaliteDirectory, nodePath, node);
    }

    /// <summary>Kills dynalite at once, as a crash would, and returns once it is gone; clients then see connections refused.</summary>
    public void Kill() => _node?.Kill();

    /// <summary>
    /// Kills dynalite if it still runs and starts a new one on the same port. The new one is empty: tables must be
    /// created again. If the start fails or is cancelled, no node runs until the next restart.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The server was stopped.</exception>
    public async Task RestartAsync(CancellationToken cancellationToken)
    {
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_stopped, this);
            if (_node is { } old)
            {
                _node = null;
                old.Kill();
                await old.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
                old.Dispose();
            }

            _node = await DynaliteNodeProcess.StartAsync(_nodePath, _dynaliteDirectory, Endpoint.Port, _options.StartupTimeout, cancellationToken)
                .ConfigureAwait(false);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>
    /// Asks dynalite to exit (closes its standard input) and kills it if it has not within a few seconds. Safe to call
    /// at any time, however dynalite ended: on its own, killed, or mid-restart.
    /// </summary>
    public async Task StopAsync()
    {
        await _lifecycle.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_stopped)
            {
                return;
            }

            _stopped = true;
            if (_node is { } last)
            {
                _node = null;
                await last.StopAsync(GracefulStopTimeout).ConfigureAwait(false);
                last.Dispose();
            }
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    private static string? FindExecutable(string name)
    {
        if (name.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            return File.Exists(name) ? Path.GetFullPath(name) : null;
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var directory in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var candidate in new[] { name, name + ".exe" })
            {
                var full = Path.Combine(directory, candidate);
                if (File.Exists(full))
                {
                    return full;
                }
            }
        }

        return null;
    }
}
