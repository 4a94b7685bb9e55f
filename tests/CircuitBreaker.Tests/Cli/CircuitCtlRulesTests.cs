using System.Text.Json;
using Amazon.DynamoDBv2;
using CircuitBreaker.Aws.DynamoDb;
using CircuitBreaker.Cli;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Breaker;
using CircuitBreaker.Core.Store;
using CircuitBreaker.Tests.Events;
using CircuitBreaker.Tests.Support;

namespace CircuitBreaker.Tests.Cli;

/// <summary>circuitctl's rules for arguments and circuits (issue 17, item 8), in process against dynalite.</summary>
[Collection(DynaliteTests.Name)]
public sealed class CircuitCtlRulesTests(DynaliteFixture dynalite) : IAsyncLifetime
{
    private readonly IAmazonDynamoDB _client = dynalite.CreateClient();
    private string _table = string.Empty;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private DynamoDbCircuitStore Store => new(_client, _table);

    public async ValueTask InitializeAsync() => _table = await dynalite.CreateTableAsync(_client, Token);

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }

    private static Task<CircuitCtlRun> RunAsync(params string[] args) => CircuitCtlRun.RunAsync(args, Token);

    private string[] On(params string[] args) => [.. args, "--endpoint-url", dynalite.Endpoint.AbsoluteUri, "--table", _table];

    private async Task FailureOfAsync(string serviceId)
    {
        var now = DateTimeOffset.UtcNow;
        await Store.RecordFailureAsync(new FailureRecord(serviceId, Guid.NewGuid().ToString("N"), now, now.AddMinutes(5), "timeout"), Token);
    }

    [Theory]
    [InlineData("1e30")]
    [InlineData("1e300")]
    [InlineData("40000000")]
    [InlineData("-5")]
    [InlineData("NaN")]
    public async Task AWindowThatIsNotAPositiveNumberOfSecondsUpToAYearIsABadArgument(string window)
    {
        var run = await RunAsync(On("status", "--window-seconds", window));

        Assert.Equal(CircuitCtlCommand.UsageError, run.Exit);
        var line = Assert.Single(run.ErrorLines);
        Assert.StartsWith("circuitctl: ", line, StringComparison.Ordinal);
        Assert.Contains("--window-seconds", line, StringComparison.Ordinal);
        Assert.Empty(run.Output);
    }

    [Fact]
    public async Task AWindowOfAYearIsAccepted()
    {
        await FailureOfAsync("orders");

        var run = await RunAsync(On("status", "--window-seconds", "31536000"));

        Assert.Equal(0, run.Exit);
        Assert.Contains("failures:    1 since ", run.OutputLines.Single(l => l.StartsWith("failures:", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("help")]
    [InlineData("-h")]
    [InlineData("--help")]
    [InlineData("-?")]
    public async Task AReasonThatLooksLikeHelpIsTheReasonNotARequestForTheUsage(string reason)
    {
        await FailureOfAsync("x");
        await using var bridge = await LoopbackEventBridge.StartAsync();

        var run = await RunAsync([.. On("isolate", "--service", "x", "--reason", reason), "--event-bus-name", "bus", "--events-endpoint-url", bridge.Endpoint.AbsoluteUri]);

        Assert.Equal(0, run.Exit);
        Assert.Contains("x isolated (was closed)", run.Output, StringComparison.Ordinal);
        Assert.Equal(CircuitStatus.Isolated, (await Store.GetAsync("x", Token)).Status);
        using var body = JsonDocument.Parse(Assert.Single(bridge.Requests).Body);
        var detail = JsonSerializer.Deserialize(body.RootElement.GetProperty("Entries")[0].GetProperty("Detail").GetString()!, ContractJsonContext.Default.CircuitStateChangeDetail)!;
        Assert.Equal("isolated by an operator: " + reason, detail.Reason);
    }

    [Fact]
    public async Task ATypoInTheServiceIsRefusedListingTheCircuitsAndCreatesNothing()
    {
        await FailureOfAsync("orders");
        await FailureOfAsync("payments");

        var isolate = await RunAsync(On("isolate", "--service", "order"));
        var close = await RunAsync(On("close", "--service", "order"));
        var reset = await RunAsync(On("reset", "--service", "order"));
        var later = await RunAsync(On("isolate"));

        Assert.All([isolate, close, reset], run =>
        {
            Assert.Equal(CircuitCtlCommand.Failed, run.Exit);
            var line = Assert.Single(run.ErrorLines);
            Assert.StartsWith("circuitctl: ", line, StringComparison.Ordinal);
            Assert.Contains("'order'", line, StringComparison.Ordinal);
            Assert.Contains("orders, payments", line, StringComparison.Ordinal);
            Assert.Contains("--create", line, StringComparison.Ordinal);
            Assert.Empty(run.Output);
        });
        Assert.Equal(["orders", "payments"], await Store.ListServicesAsync(Token));

        // The phantom never came to be, so an isolate without --service still asks which of the two.
        Assert.Equal(CircuitCtlCommand.UsageError, later.Exit);
        Assert.Contains("holds 2 circuits (orders, payments)", Assert.Single(later.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACircuitOfAnEmptyTableIsRefusedToo()
    {
        var run = await RunAsync(On("isolate", "--service", "orders"));

        Assert.Equal(CircuitCtlCommand.Failed, run.Exit);
        Assert.Contains("holds no circuit", Assert.Single(run.ErrorLines), StringComparison.Ordinal);
        Assert.Empty(await Store.ListServicesAsync(Token));
    }

    [Fact]
    public async Task CreateIsolatesOrClosesACircuitThatHasNoItemYet()
    {
        await FailureOfAsync("orders");

        var isolate = await RunAsync(On("isolate", "--service", "checkout", "--create"));
        var close = await RunAsync(On("close", "--service", "refunds", "--create"));

        Assert.Equal(0, isolate.Exit);
        Assert.Contains("checkout isolated (was closed)", isolate.Output, StringComparison.Ordinal);
        Assert.Equal(CircuitStatus.Isolated, (await Store.GetAsync("checkout", Token)).Status);
        Assert.Equal(0, close.Exit);
        Assert.Equal(["checkout", "orders", "refunds"], await Store.ListServicesAsync(Token));
    }

    [Fact]
    public async Task ACircuitExistsWithAnyItemOfItsServiceIdStateFailureOrSuccessCounter()
    {
        var now = DateTimeOffset.UtcNow;
        await FailureOfAsync("failed-once");
        await Store.AddSuccessesAsync(new SuccessCount("counted", now, 3, now.AddMinutes(5), SuccessFlushIds.New()), Token);
        await Store.TryOpenAsync("opened", 0, now.AddMinutes(1), Token);

        var runs = new[]
        {
            await RunAsync(On("isolate", "--service", "failed-once")),
            await RunAsync(On("isolate", "--service", "counted")),
            await RunAsync(On("close", "--service", "opened")),
        };

        Assert.All(runs, run => Assert.True(run.Exit == 0, run.Error));
        Assert.Equal(CircuitStatus.Isolated, (await Store.GetAsync("failed-once", Token)).Status);
        Assert.Equal(CircuitStatus.Isolated, (await Store.GetAsync("counted", Token)).Status);
        Assert.Equal(CircuitStatus.Closed, (await Store.GetAsync("opened", Token)).Status);
    }

    [Fact]
    public async Task HelpIsGeneratedForEachCommandAndStatesTheTimeoutAndTheExitCodes()
    {
        var root = await RunAsync("--help");
        var isolate = await RunAsync("isolate", "--help");
        var none = await RunAsync();

        Assert.All([root, isolate, none], run =>
        {
            Assert.Equal(0, run.Exit);
            Assert.Empty(run.Error);
        });
        Assert.Contains("isolate", root.Output, StringComparison.Ordinal);
        Assert.Contains("--timeout-seconds", root.Output, StringComparison.Ordinal);
        Assert.Contains("10 s", root.Output, StringComparison.Ordinal);
        Assert.Contains("Exit codes: 0 done, 1 failed", root.Output, StringComparison.Ordinal);
        Assert.Contains("--create", isolate.Output, StringComparison.Ordinal);
        Assert.Contains("--reason", isolate.Output, StringComparison.Ordinal);
        Assert.Equal(root.Output, none.Output);
    }
}
