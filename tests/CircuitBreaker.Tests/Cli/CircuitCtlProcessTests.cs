using CircuitBreaker.Aws.DynamoDb;
using CircuitBreaker.Core.Store;

namespace CircuitBreaker.Tests.Cli;

/// <summary>The built circuitctl executable, run as an operator runs it, and interrupted as a terminal does.</summary>
public sealed class CircuitCtlProcessTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CtrlCDuringADynamoDbCallExits130WithOneLine()
    {
        Assert.SkipUnless(StallableDynalite.Supported, "Stalls dynalite with SIGSTOP and sends SIGINT with kill(1).");
        await using var stalled = await StallableDynalite.StartAsync(Token);
        await new DynamoDbCircuitStore(stalled.Client, stalled.Table).IsolateAsync("orders", Token);
        stalled.Stall();
        using var circuitctl = CircuitCtlProcess.Start("close", "--service", "orders", "--endpoint-url", stalled.Endpoint.AbsoluteUri, "--table", stalled.Table);

        // Once circuitctl holds a connection to the stalled dynalite, it is inside a DynamoDB call.
        using (var connected = CancellationTokenSource.CreateLinkedTokenSource(Token))
        {
            connected.CancelAfter(TimeSpan.FromSeconds(8));
            await stalled.WaitForAConnectionFromAsync(circuitctl.Id, connected.Token);
        }

        circuitctl.Signal("INT");
        var exited = await circuitctl.WaitForExitAsync(TimeSpan.FromSeconds(5));

        Assert.NotNull(exited);
        var (exit, _, error) = exited.Value;
        Assert.Equal(130, exit);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("circuitctl: interrupted", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheExecutableKeepsTheExitCodes()
    {
        using var help = CircuitCtlProcess.Start("--help");
        using var bad = CircuitCtlProcess.Start("status", "--table", "t", "--window-seconds", "1e30", "--region", "us-east-1");

        var helped = await help.WaitForExitAsync(TimeSpan.FromSeconds(30));
        var refused = await bad.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0, helped!.Value.Exit);
        Assert.Contains("--table", helped.Value.Output, StringComparison.Ordinal);
        Assert.Equal(2, refused!.Value.Exit);
        Assert.StartsWith("circuitctl: ", Assert.Single(refused.Value.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
    }
}
