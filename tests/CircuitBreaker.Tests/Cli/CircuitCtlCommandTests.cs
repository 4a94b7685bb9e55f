using System.Text.Json;
using Amazon.DynamoDBv2;
using CircuitBreaker.Aws.DynamoDb;
using CircuitBreaker.Cli;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Store;
using CircuitBreaker.Tests.Events;
using CircuitBreaker.Tests.Support;

namespace CircuitBreaker.Tests.Cli;

/// <summary>circuitctl's entry point, in process, against dynalite and a loopback EventBridge.</summary>
[Collection(DynaliteTests.Name)]
public sealed class CircuitCtlCommandTests(DynaliteFixture dynalite) : IAsyncLifetime
{
    private readonly IAmazonDynamoDB _client = dynalite.CreateClient();
    private string _table = string.Empty;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _table = await dynalite.CreateTableAsync(_client, Token);

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }

    private static Task<CircuitCtlRun> RunAsync(params string[] args) => CircuitCtlRun.RunAsync(args, Token);

    private string[] On(params string[] args) => [.. args, "--endpoint-url", dynalite.Endpoint.AbsoluteUri, "--table", _table];

    // isolate and close act only on a circuit the table holds an item of: one failure makes it exist.
    private async Task ExistingCircuitAsync(string serviceId)
    {
        var now = DateTimeOffset.UtcNow;
        await new DynamoDbCircuitStore(_client, _table).RecordFailureAsync(new FailureRecord(serviceId, "seed", now.AddMinutes(-10), now.AddMinutes(5), "timeout"), Token);
    }

    [Theory]
    [InlineData(new[] { "status" }, "--table is required")]
    [InlineData(new[] { "open", "--table", "t" }, "unknown command 'open'")]
    [InlineData(new[] { "status", "--table", "t", "--tabel", "x" }, "unknown option '--tabel'")]
    [InlineData(new[] { "status", "--table", "t", "--endpoint-url", "localhost:8000" }, "--endpoint-url 'localhost:8000'")]
    [InlineData(new[] { "status", "--table", "t", "--endpoint-url", "http://127.0.0.1:1/", "--service", "has space" }, "--service 'has space'")]
    [InlineData(new[] { "status", "--table", "t" }, "no region")]
    [InlineData(new[] { "status", "--table" }, "--table needs a value")]
    public async Task BadArgumentsGetOneLineAndExitCodeTwo(string[] args, string expected)
    {
        var run = await RunAsync(args);

        Assert.Equal(CircuitCtlCommand.UsageError, run.Exit);
        var line = Assert.Single(run.ErrorLines);
        Assert.StartsWith("circuitctl: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.Empty(run.Output);
    }

    [Fact]
    public async Task HelpPrintsTheUsage()
    {
        var run = await RunAsync("--help");

        Assert.Equal(0, run.Exit);
        Assert.Contains("--endpoint-url", run.Output, StringComparison.Ordinal);
        Assert.Contains("pulumi stack output tableName", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMissingTableIsOneLineAndExitCodeOne()
    {
        var run = await RunAsync("status", "--endpoint-url", dynalite.Endpoint.AbsoluteUri, "--table", "no-such-table", "--service", "svc");

        Assert.Equal(CircuitCtlCommand.Failed, run.Exit);
        Assert.Equal($"circuitctl: table 'no-such-table' not found at {dynalite.Endpoint}", Assert.Single(run.ErrorLines));
    }

    [Fact]
    public async Task WithoutServiceAnEmptyTableOrOneWithSeveralCircuitsAsksForOneExceptStatusWhichShowsThemAll()
    {
        var empty = await RunAsync(On("isolate"));
        var emptyStatus = await RunAsync(On("status"));
        var store = new DynamoDbCircuitStore(_client, _table);
        await store.IsolateAsync("a", Token);
        await store.IsolateAsync("b", Token);
        var several = await RunAsync(On("close"));
        var statusOfAll = await RunAsync(On("status"));

        Assert.Equal(CircuitCtlCommand.Failed, empty.Exit);
        Assert.Contains("holds no circuit yet", Assert.Single(empty.ErrorLines), StringComparison.Ordinal);
        Assert.Equal(0, emptyStatus.Exit);
        Assert.Contains("holds no circuit yet: every circuit is closed", emptyStatus.Output, StringComparison.Ordinal);
        Assert.Equal(CircuitCtlCommand.UsageError, several.Exit);
        Assert.Contains("holds 2 circuits (a, b)", Assert.Single(several.ErrorLines), StringComparison.Ordinal);
        Assert.Equal(0, statusOfAll.Exit);
        var services = statusOfAll.Output.Split('\n').Where(line => line.StartsWith("service", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, services.Count);
        Assert.EndsWith(" a", services[0].TrimEnd(), StringComparison.Ordinal);
        Assert.EndsWith(" b", services[1].TrimEnd(), StringComparison.Ordinal);
        Assert.Equal(2, statusOfAll.Output.Split('\n').Count(line => line.StartsWith("state", StringComparison.Ordinal) && line.TrimEnd().EndsWith("isolated", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task StatusShowsTheStateTheOpenPeriodAndTheFailuresOfTheOnlyCircuit()
    {
        var store = new DynamoDbCircuitStore(_client, _table);
        var now = DateTimeOffset.UtcNow;
        await store.RecordFailureAsync(new FailureRecord("orders", "e1", now.AddSeconds(-5), now.AddMinutes(5), "timeout"), Token);
        await store.RecordFailureAsync(new FailureRecord("orders", "e2", now.AddSeconds(-4), now.AddMinutes(5), "timeout"), Token);
        await store.RecordFailureAsync(new FailureRecord("orders", "old", now.AddMinutes(-30), now.AddMinutes(5), "timeout"), Token);
        await store.TryOpenAsync("orders", 0, now.AddMinutes(1), Token);

        var run = await RunAsync(On("status"));

        Assert.Equal(0, run.Exit);
        var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Contains("service:     orders", lines);
        Assert.Contains("state:       open", lines);
        Assert.Contains(lines, l => l.StartsWith("open until:  ", StringComparison.Ordinal) && l.EndsWith(" s)", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("failures:    2 since ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("last change: 20", StringComparison.Ordinal));
        Assert.Empty(run.Error);
    }

    [Fact]
    public async Task IsolateAndCloseChangeTheStateAndPublishEachChange()
    {
        await ExistingCircuitAsync("orders");
        await using var bridge = await LoopbackEventBridge.StartAsync();
        string[] Bus(params string[] args) => [.. On(args), "--service", "orders", "--event-bus-name", "breaker-bus", "--events-endpoint-url", bridge.Endpoint.AbsoluteUri];

        var isolate = await RunAsync(Bus("isolate", "--reason", "bad deploy downstream"));
        var isolateAgain = await RunAsync(Bus("isolate"));
        var status = await RunAsync(On("status", "--service", "orders"));
        var close = await RunAsync(Bus("close"));
        var reset = await RunAsync(Bus("reset"));

        Assert.All([isolate, isolateAgain, status, close, reset], run => Assert.Equal(0, run.Exit));
        Assert.Contains("orders isolated (was closed)", isolate.Output, StringComparison.Ordinal);
        Assert.Contains("already isolated", isolateAgain.Output, StringComparison.Ordinal);
        Assert.Contains("state:       isolated", status.Output, StringComparison.Ordinal);
        Assert.Contains("orders closed (was isolated)", close.Output, StringComparison.Ordinal);
        Assert.Contains("no state change to publish", reset.Output, StringComparison.Ordinal);
        Assert.Equal(CircuitStatus.Closed, (await new DynamoDbCircuitStore(_client, _table).GetAsync("orders", Token)).Status);

        var events = bridge.Requests.Select(request =>
        {
            using var body = JsonDocument.Parse(request.Body);
            var entry = body.RootElement.GetProperty("Entries")[0];
            Assert.Equal(StateChangeEvents.DetailType, entry.GetProperty("DetailType").GetString());
            Assert.Equal("breaker-bus", entry.GetProperty("EventBusName").GetString());
            return JsonSerializer.Deserialize(entry.GetProperty("Detail").GetString()!, ContractJsonContext.Default.CircuitStateChangeDetail)!;
        }).ToList();
        Assert.Equal(
            [("orders", "closed", "isolated", "isolated by an operator: bad deploy downstream"), ("orders", "isolated", "closed", "released by an operator")],
            events.Select(e => (e.ServiceId, e.From, e.To, e.Reason)));
    }

    [Fact]
    public async Task WithoutABusTheActionIsDoneAndTheOutputSaysNothingWasPublished()
    {
        await ExistingCircuitAsync("orders");
        var run = await RunAsync(On("isolate", "--service", "orders"));

        Assert.Equal(0, run.Exit);
        Assert.Contains("no --event-bus-name given: the state change was not published", run.Output, StringComparison.Ordinal);
        Assert.Equal(CircuitStatus.Isolated, (await new DynamoDbCircuitStore(_client, _table).GetAsync("orders", Token)).Status);
    }

    [Fact]
    public async Task ALostEventIsOneLineOnStderrButTheActionStands()
    {
        await ExistingCircuitAsync("orders");
        await using var bridge = await LoopbackEventBridge.StartAsync(EventBridgeAnswer.Error(400, "ResourceNotFoundException", "Event bus breaker-bus does not exist."));

        var run = await RunAsync([.. On("isolate", "--service", "orders"), "--event-bus-name", "breaker-bus", "--events-endpoint-url", bridge.Endpoint.AbsoluteUri]);

        Assert.Equal(0, run.Exit);
        var line = Assert.Single(run.ErrorLines);
        Assert.Contains("ResourceNotFoundException: Event bus breaker-bus does not exist.", line, StringComparison.Ordinal);
        Assert.Equal(CircuitStatus.Isolated, (await new DynamoDbCircuitStore(_client, _table).GetAsync("orders", Token)).Status);
    }
}
