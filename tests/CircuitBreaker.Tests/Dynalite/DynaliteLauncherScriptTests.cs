using System.Diagnostics;
using CircuitBreaker.Local.Dynalite;
using CircuitBreaker.Tests.Support;

namespace CircuitBreaker.Tests.Dynalite;

public sealed class DynaliteLauncherScriptTests
{
    [Fact]
    public async Task NodeExitsWhenItsStandardInputCloses()
    {
        // The kernel closes the parent's end of the pipe however the parent dies (crash, SIGKILL); closing it
        // by hand is the same event as far as node can tell, and shows dynalite will not be orphaned.
        var startInfo = new ProcessStartInfo("node")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add("-e");
        startInfo.ArgumentList.Add(DynaliteLauncherScript.Source);
        startInfo.ArgumentList.Add(Path.Combine(DynaliteFixture.RepositoryRoot, "node_modules", "dynalite"));
        startInfo.ArgumentList.Add("0");
        using var node = Process.Start(startInfo)!;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(20));
            var line = await node.StandardOutput.ReadLineAsync(timeout.Token);
            Assert.StartsWith(DynaliteLauncherScript.ListeningMarker + " ", line, StringComparison.Ordinal);

            node.StandardInput.Close();

            Assert.True(node.WaitForExit(TimeSpan.FromSeconds(10)), "node kept running after its standard input closed.");
            Assert.Equal(0, node.ExitCode);
        }
        finally
        {
            if (!node.HasExited)
            {
                node.Kill(entireProcessTree: true);
            }
        }
    }
}
