using System.Diagnostics;
using System.Globalization;
using CircuitBreaker.Local.Dynalite;
using CircuitBreaker.Tests.Support;

namespace CircuitBreaker.Tests.Local.Dynalite;

public sealed class DynaliteLauncherScriptTests
{
    private static readonly TimeSpan ExitBound = TimeSpan.FromSeconds(10);

    private static string DynaliteDirectory => Path.Combine(DynaliteFixture.RepositoryRoot, "node_modules", "dynalite");

    // The launcher as DynaliteNodeProcess runs it, on any free port, with its standard input held open.
    private static Process StartLauncher()
    {
        var startInfo = new ProcessStartInfo("node")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add("-e");
        startInfo.ArgumentList.Add(DynaliteLauncherScript.Source);
        startInfo.ArgumentList.Add(DynaliteDirectory);
        startInfo.ArgumentList.Add("0");
        return Process.Start(startInfo)!;
    }

    [Fact]
    public async Task NodeExitsWhenItsStandardInputCloses()
    {
        using var node = StartLauncher();
        try
        {
            var line = await ReadLineAsync(node.StandardOutput);
            Assert.StartsWith(DynaliteLauncherScript.ListeningMarker + " ", line, StringComparison.Ordinal);

            node.StandardInput.Close();

            Assert.True(node.WaitForExit(ExitBound), "node kept running after its standard input closed.");
            Assert.Equal(0, node.ExitCode);
        }
        finally
        {
            KillIfRunning(node);
        }
    }

    [Theory]
    [InlineData("INT")]
    [InlineData("TERM")]
    public async Task NodeLeavesAGroupSignalToItsHostAndStillExitsWhenItsStandardInputCloses(string signal)
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Skip("Sends POSIX signals with kill(1).");
        }

        using var node = StartLauncher();
        try
        {
            Assert.StartsWith(DynaliteLauncherScript.ListeningMarker + " ", await ReadLineAsync(node.StandardOutput), StringComparison.Ordinal);

            // What a terminal's Ctrl+C (or a kill of the whole group) does to dynalite at the same moment as to the host.
            using (var kill = Process.Start("kill", ["-" + signal, node.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync(TestContext.Current.CancellationToken);
            }

            Assert.False(node.WaitForExit(TimeSpan.FromSeconds(1)), $"node ended on SIG{signal}; the host would see a crash.");
            node.StandardInput.Close();
            Assert.True(node.WaitForExit(ExitBound), "node kept running after its standard input closed.");
            Assert.Equal(0, node.ExitCode);
        }
        finally
        {
            KillIfRunning(node);
        }
    }

    [Fact]
    public async Task NodeExitsWhenTheProcessHoldingItsStandardInputIsKilled()
    {
        if (!File.Exists("/bin/bash") || !Directory.Exists("/proc"))
        {
            Assert.Skip("Needs bash (to hold node's stdin as a parent would) and /proc (to see node's state).");
        }

        // bash stands in for the .NET host: it holds the write end of node's stdin (bash itself, in a loop: an exec'd
        // command would not inherit the coprocess's descriptors), then dies by SIGKILL,
        // which no handler can intercept. Only the kernel closing its descriptors can tell node to go.
        var startInfo = new ProcessStartInfo("/bin/bash") { RedirectStandardOutput = true, UseShellExecute = false };
        startInfo.ArgumentList.Add("-c");
        startInfo.ArgumentList.Add("""coproc NODE { exec node -e "$0" "$1" 0; }; echo "$NODE_PID"; read -r line <&"${NODE[0]}"; echo "$line"; while sleep 1; do :; done""");
        startInfo.ArgumentList.Add(DynaliteLauncherScript.Source);
        startInfo.ArgumentList.Add(DynaliteDirectory);
        using var parent = Process.Start(startInfo)!;
        var nodePid = 0;
        try
        {
            nodePid = int.Parse(await ReadLineAsync(parent.StandardOutput) ?? "", CultureInfo.InvariantCulture);
            Assert.StartsWith(DynaliteLauncherScript.ListeningMarker + " ", await ReadLineAsync(parent.StandardOutput), StringComparison.Ordinal);
            Assert.False(HasEnded(nodePid));

            parent.Kill(entireProcessTree: false);

            var watch = Stopwatch.StartNew();
            while (!HasEnded(nodePid) && watch.Elapsed < ExitBound)
            {
                await Task.Delay(50, TestContext.Current.CancellationToken);
            }

            Assert.True(HasEnded(nodePid), "node outlived the process holding its standard input.");
        }
        finally
        {
            KillIfRunning(parent);
            if (nodePid > 0 && !HasEnded(nodePid))
            {
                using var orphan = Process.GetProcessById(nodePid);
                orphan.Kill();
            }
        }
    }

    private static async Task<string?> ReadLineAsync(StreamReader reader)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        return await reader.ReadLineAsync(timeout.Token);
    }

    // Gone, or a zombie waiting for a reaper that a container's init may never be: either way it has exited.
    private static bool HasEnded(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
            return state is "Z" or "X";
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return true;
        }
    }

    private static void KillIfRunning(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }
    }
}
