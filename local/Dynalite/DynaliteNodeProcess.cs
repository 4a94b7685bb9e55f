using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace CircuitBreaker.Local.Dynalite;

/// <summary>One node process serving dynalite, with its standard input held open as its lifeline.</summary>
internal sealed class DynaliteNodeProcess : IDisposable
{
    private const int MaxDiagnosticChars = 8_000;

    private static readonly TimeSpan KillReapTimeout = TimeSpan.FromSeconds(5);

    private readonly StringBuilder diagnostics = new();

    private DynaliteNodeProcess(Process process) => Process = process;

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

    public static async Task<DynaliteNodeProcess> StartAsync(
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

        var running = new DynaliteNodeProcess(process);
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
