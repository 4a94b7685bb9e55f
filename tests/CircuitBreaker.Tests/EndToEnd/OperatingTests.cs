using CircuitBreaker.Tests.Support;
using System.Text.Json;
using CircuitBreaker.Cli;
using CircuitBreaker.Local.Hosting;

namespace CircuitBreaker.Tests.EndToEnd;

/// <summary>An operator's manual control through the running local host: circuitctl as its banner says, then requests.</summary>
[Collection(WholeSystemTests.Name)]
public sealed class OperatingTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static async Task<(int Exit, string Output, string Error)> CircuitCtlAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await CircuitCtlCommand.RunAsync(args, output, error, _ => null, TimeProvider.System, Token);
        return (exit, output.ToString(), error.ToString());
    }

    private static async Task<int> StatusWithinAsync(InProcessLocalHost stack, int expected)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Token);
        deadline.CancelAfter(Bound);
        while (true)
        {
            var (status, _, _) = await stack.GetAsync();
            if (status == expected || deadline.IsCancellationRequested)
            {
                return status;
            }

            await Task.Delay(100, Token);
        }
    }

    [Fact]
    public async Task IsolateGivesIsolated503sUntilCloseThenRequestsAreRelayedAgain()
    {
        await using var stack = await InProcessLocalHost.StartAsync("--downstream", "simulate:ok");
        var banner = stack.System.DescribeEndpoints().Single(line => line.StartsWith("DynamoDB:", StringComparison.Ordinal));
        var command = banner[(banner.IndexOf("circuitctl ", StringComparison.Ordinal) + "circuitctl ".Length)..^1].Split(' ');
        // The banner's command carries the table and the bus, so isolate and close publish their events as they are.
        string[] Control(string action) => [action, .. command[1..], "--service", stack.System.Settings.ServiceId];

        Assert.Equal(200, (await stack.GetAsync()).Status);
        var statusAsBannerSays = await CircuitCtlAsync(command);
        Assert.Equal(0, statusAsBannerSays.Exit);

        // Only successes so far, which count mode does not store: the circuit has no item yet, so isolating it takes --create.
        var isolate = await CircuitCtlAsync([.. Control("isolate"), "--create"]);
        Assert.Equal((0, string.Empty), (isolate.Exit, isolate.Error));
        // A warm instance trusts the closed state it read for closedStateMaxAgeSeconds (1 s): the isolate reaches it within that.
        Assert.Equal(503, await StatusWithinAsync(stack, 503));
        var (isolatedStatus, _, isolatedResponse) = await stack.GetAsync();
        Assert.Equal(503, isolatedStatus);
        using (var problem = JsonDocument.Parse(await isolatedResponse.Content.ReadAsStringAsync(Token)))
        {
            Assert.Equal("urn:circuit-breaker:problem:circuit-isolated", problem.RootElement.GetProperty("type").GetString());
        }

        await stack.Console.WaitForLineAsync(line => line.Contains("[event] Circuit State Changed:", StringComparison.Ordinal) && line.EndsWith("closed -> isolated (isolated by an operator)", StringComparison.Ordinal), Bound, Token);
        var statusWhileIsolated = await CircuitCtlAsync(command);
        Assert.Contains("state:       isolated", statusWhileIsolated.Output, StringComparison.Ordinal);

        var close = await CircuitCtlAsync(Control("close"));
        Assert.Equal((0, string.Empty), (close.Exit, close.Error));
        Assert.Equal(200, await StatusWithinAsync(stack, 200));
        await stack.Console.WaitForLineAsync(line => line.EndsWith("isolated -> closed (released by an operator)", StringComparison.Ordinal), Bound, Token);
    }
}
