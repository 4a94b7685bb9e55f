using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace CircuitBreaker.Local.Dynalite;

/// <summary>
/// One dynalite (DynamoDB's API, in memory) on a loopback port, run by node as a child that dies with this
/// process (see <see cref="DynaliteLauncherScript"/>). Its data lives only as long as the node process.
/// </summary>
internal sealed class DynaliteServer : IAsyncDisposable
{
    private static readonly TimeSpan GracefulStopTimeout = TimeSpan.FromSeconds(5);

    private readonly DynaliteOptions options;
    private readonly string dynaliteDirectory;
    private readonly string nodePath;

    // Restart and stop each replace or end the node; one at a time, so a stop never meets a half-restarted node.
    private readonly SemaphoreSlim lifecycle = new(1, 1);

    // Null between a restart's kill and its new node, and after a restart that could not start one.
    private RunningNode? node;
    private bool stopped;

    private DynaliteServer(DynaliteOptions options, string dynaliteDirectory, string nodePath, RunningNode node)
    {
        this.options = options;
        this.dynaliteDirectory = dynaliteDirectory;
        this.nodePath = nodePath;
        this.node = node;
        Endpoint = new Uri($"http://127.0.0.1:{node.Port.ToString(CultureInfo.InvariantCulture)}/");
    }

    /// <summary>The DynamoDB endpoint, e.g. <c>http://127.0.0.1:41234/</c>; stays the same across <see cref="RestartAsync"/>.</summary>
    public Uri Endpoint { get; }

    /// <summary>The node process's id.</summary>
    /// <exception cref="InvalidOperationException">No node runs (a restart could not start one).</exception>
    public int ProcessId => (node ?? throw new InvalidOperationException("dynalite is not running.")).Process.Id;

    /// <summary>Whether the node process is still running.</summary>
    public bool IsRunning => node is { HasExited: false };

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

        var node = await RunningNode.StartAsync(nodePath, dynaliteDirectory, options.Port, options.StartupTimeout, cancellationToken)
            .ConfigureAwait(false);
        return new DynaliteServer(options, dynaliteDirectory, nodePath, node);
    }

    /// <summary>Kills dynalite at once, as a crash would, and returns once it is gone; clients then see connections refused.</summary>
    public void Kill() => node?.Kill();

    /// <summary>
    /// Kills dynalite if it still runs and starts a new one on the same port. The new one is empty: tables must be
    /// created again. If the start fails or is cancelled, no node runs until the next restart.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The server was stopped.</exception>
    public async Task RestartAsync(CancellationToken cancellationToken)
    {
        await lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(stopped, this);
            if (node is { } old)
            {
                node = null;
                old.Kill();
                await old.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
                old.Dispose();
            }

            node = await RunningNode.StartAsync(nodePath, dynaliteDirectory, Endpoint.Port, options.StartupTimeout, cancellationToken)
                .ConfigureAwait(false);
        }
        finally
        {
            lifecycle.Release();
        }
    }

    /// <summary>
    /// Asks dynalite to exit (closes its standard input) and kills it if it has not within a few seconds. Safe to call
    /// at any time, however dynalite ended: on its own, killed, or mid-restart.
    /// </summary>
    public async Task StopAsync()
    {
        await lifecycle.WaitAsync().ConfigureAwait(false);
        try
        {
            if (stopped)
            {
                return;
            }

            stopped = true;
            if (node is { } last)
            {
                node = null;
                await last.StopAsync(GracefulStopTimeout).ConfigureAwait(false);
                last.Dispose();
            }
        }
        finally
        {
            lifecycle.Release();
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

    /// <summary>One node process serving dynalite, with its standard input held open as its lifeline.</summary>
    private sealed class RunningNode : IDisposable
    {
        private const int MaxDiagnosticChars = 8_000;

        private static readonly TimeSpan KillReapTimeout = TimeSpan.FromSeconds(5);

        private readonly StringBuilder diagnostics = new();

        private RunningNode(Process process) => Process = process;

        public Process Process { get; }

        public int Port { get; private set; }

        // A Process that was never started or is disposed throws here ("No process is associated with this
        // object"); either way nothing runs.
        public bool HasExited
        {
            get
            {
                try
                {
                    return Process.HasExited;
                }
                catch (InvalidOperationException)
                {
                    return true;
                }
            }
        }

        public static async Task<RunningNode> StartAsync(
            string nodePath, string dynaliteDirectory, int port, TimeSpan startupTimeout, CancellationToken cancellationToken)
        {
            var startInfo = new ProcessStartInfo(nodePath)
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                CreateNoWindow = true,
            };
            startInfo.ArgumentList.Add("-e");
            startInfo.ArgumentList.Add(DynaliteLauncherScript.Source);
            startInfo.ArgumentList.Add(dynaliteDirectory);
            startInfo.ArgumentList.Add(port.ToString(CultureInfo.InvariantCulture));

            Process process;
            try
            {
                process = Process.Start(startInfo) ?? throw new DynaliteUnavailableException($"{nodePath} did not start.");
            }
            catch (Win32Exception e)
            {
                throw new DynaliteUnavailableException(
                    $"{nodePath} could not be started ({e.Message}): install node with `apt-get install -y nodejs npm`.", e);
            }

            var running = new RunningNode(process);
            try
            {
                await running.WaitUntilListeningAsync(startupTimeout, cancellationToken).ConfigureAwait(false);
                return running;
            }
            catch
            {
                running.Kill();
                running.Dispose();
                throw;
            }
        }

        public void Kill()
        {
            try
            {
                if (!HasExited)
                {
                    Process.Kill(entireProcessTree: true);

                    // The kill is a signal; wait until the runtime has reaped the child, so that whoever killed it sees
                    // it gone (HasExited) rather than racing the reaper.
                    Process.WaitForExit(KillReapTimeout);
                }
            }
            catch (InvalidOperationException)
            {
                // It exited between the check and the kill.
            }
        }

        public Task WaitForExitAsync(CancellationToken cancellationToken) => Process.WaitForExitAsync(cancellationToken);

        public async Task StopAsync(TimeSpan timeout)
        {
            if (HasExited)
            {
                return;
            }

            try
            {
                Process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The pipe is already broken: the process is on its way out, or the kill below finishes it.
            }

            using var wait = new CancellationTokenSource(timeout);
            try
            {
                await Process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Kill();
                await Process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }

        public void Dispose() => Process.Dispose();

        private async Task WaitUntilListeningAsync(TimeSpan timeout, CancellationToken cancellationToken)
        {
            var stderrDrain = DrainAsync(Process.StandardError);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(timeout);
            try
            {
                while (true)
                {
                    var line = await Process.StandardOutput.ReadLineAsync(deadline.Token).ConfigureAwait(false);
                    if (line is null)
                    {
                        await Process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
                        await stderrDrain.ConfigureAwait(false);
                        throw new DynaliteUnavailableException(
                            $"dynalite exited with code {Process.ExitCode} before listening. Its output:{Environment.NewLine}{Diagnostics()}"
                            + $"{Environment.NewLine}If a module is missing, run `npm ci --no-audit --no-fund` in the repository root.");
                    }

                    if (line.StartsWith(DynaliteLauncherScript.ListeningMarker + " ", StringComparison.Ordinal)
                        && int.TryParse(line.AsSpan(DynaliteLauncherScript.ListeningMarker.Length + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port))
                    {
                        Port = port;
                        break;
                    }

                    Append(line);
                }

                // Keep reading so a chatty dynalite never blocks on a full pipe.
                _ = DrainAsync(Process.StandardOutput);
                await ConfirmAcceptingAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new DynaliteUnavailableException(
                    $"dynalite did not start listening within {timeout.TotalSeconds:0.#} s. Its output:{Environment.NewLine}{Diagnostics()}");
            }
        }

        private async Task ConfirmAcceptingAsync(CancellationToken cancellationToken)
        {
            using var probe = new TcpClient();
            await probe.ConnectAsync(System.Net.IPAddress.Loopback, Port, cancellationToken).ConfigureAwait(false);
        }

        private async Task DrainAsync(StreamReader reader)
        {
            try
            {
                while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
                {
                    Append(line);
                }
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                // The process went away: nothing more to read.
            }
        }

        private void Append(string line)
        {
            lock (diagnostics)
            {
                if (diagnostics.Length < MaxDiagnosticChars)
                {
                    diagnostics.AppendLine(line);
                }
            }
        }

        private string Diagnostics()
        {
            lock (diagnostics)
            {
                return diagnostics.Length == 0 ? "(none)" : diagnostics.ToString();
            }
        }
    }
}
