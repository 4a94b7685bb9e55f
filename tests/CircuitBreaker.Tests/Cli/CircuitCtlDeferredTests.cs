using CircuitBreaker.Aws.DynamoDb;
using System.Text;
using System.Text.Json;
using Amazon.DynamoDBv2;
using CircuitBreaker.Cli;
using CircuitBreaker.Contract;
using CircuitBreaker.Local.EventBridge;
using CircuitBreaker.Core.Store;
using CircuitBreaker.Tests.Events;
using CircuitBreaker.Tests.Support;

namespace CircuitBreaker.Tests.Cli;

/// <summary>circuitctl deferred list | replay | drop, in process, against dynalite and a loopback EventBridge.</summary>
[Collection(DynaliteTests.Name)]
public sealed class CircuitCtlDeferredTests(DynaliteFixture dynalite) : IAsyncLifetime
{
    private readonly IAmazonDynamoDB _client = dynalite.CreateClient();
    private string _table = string.Empty;
    private DeferredRequestStore _deferred = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _table = await dynalite.CreateTableAsync(_client, Token);
        _deferred = new DeferredRequestStore(_client, _table);
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }

    private static Task<CircuitCtlRun> RunAsync(params string[] args) => CircuitCtlRun.RunAsync(args, Token);

    private string[] On(params string[] args) => [.. args, "--endpoint-url", dynalite.Endpoint.AbsoluteUri, "--table", _table];

    private async Task<IReadOnlyList<DeferredRequest>> DeferAsync(string serviceId, int count)
    {
        var at = DateTimeOffset.UtcNow.AddMinutes(-5);
        var stored = new List<DeferredRequest>();
        for (var i = 0; i < count; i++)
        {
            var request = new DeferredRequest(serviceId, $"id-{i}", at.AddSeconds(i), "POST", $"/orders/{i}", [], Encoding.UTF8.GetBytes(new string('x', 10 + i)), at.AddDays(1));
            await _deferred.StoreAsync(request, Token);
            stored.Add(request);
        }

        return stored;
    }

    [Theory]
    [InlineData(new[] { "deferred", "--table", "t" }, "deferred needs a command: list, replay or drop")]
    [InlineData(new[] { "deferred", "send", "--table", "t" }, "unknown deferred command 'send'")]
    [InlineData(new[] { "deferred", "drop", "--table", "t", "--region", "eu-west-1" }, "needs --id ID or --all")]
    [InlineData(new[] { "deferred", "drop", "--id", "a", "--all", "--table", "t", "--region", "eu-west-1" }, "needs --id ID or --all")]
    [InlineData(new[] { "deferred", "replay", "--table", "t", "--region", "eu-west-1" }, "deferred replay needs --event-bus-name")]
    public async Task BadArgumentsGetOneLineAndExitCodeTwo(string[] args, string expected)
    {
        var run = await RunAsync(args);

        Assert.Equal(CircuitCtlCommand.UsageError, run.Exit);
        Assert.Contains(expected, Assert.Single(run.ErrorLines), StringComparison.Ordinal);
        Assert.Empty(run.Output);
    }

    [Fact]
    public async Task ListShowsEachDeferredRequestOldestFirst()
    {
        await DeferAsync("orders", 3);

        var run = await RunAsync(On("deferred", "list", "--service", "orders"));

        Assert.Equal(0, run.Exit);
        var lines = run.OutputLines;
        Assert.Equal(4, lines.Length);
        Assert.StartsWith("id-0  ", lines[0], StringComparison.Ordinal);
        Assert.Contains("POST /orders/0  10 bytes  not tried yet", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("id-2  ", lines[2], StringComparison.Ordinal);
        Assert.Equal("3 deferred requests of orders, oldest first", lines[3]);
    }

    [Fact]
    public async Task ListWithoutAnyIsOneLine()
    {
        await DeferAsync("orders", 0);
        await new DynamoDbCircuitStore(_client, _table).IsolateAsync("orders", Token);

        var run = await RunAsync(On("deferred", "list"));

        Assert.Equal(0, run.Exit);
        Assert.Equal(["orders has no deferred request"], run.OutputLines);
    }

    [Fact]
    public async Task DropDeletesOneOrAllAndAnUnknownIdIsAnError()
    {
        await DeferAsync("orders", 3);

        var one = await RunAsync(On("deferred", "drop", "--service", "orders", "--id", "id-1"));
        var unknown = await RunAsync(On("deferred", "drop", "--service", "orders", "--id", "id-1"));

        Assert.Equal(0, one.Exit);
        Assert.Equal(["dropped 1 deferred request of orders"], one.OutputLines);
        Assert.Equal(["id-0", "id-2"], (await _deferred.ListAllAsync("orders", Token)).Select(request => request.Id));
        Assert.Equal(CircuitCtlCommand.Failed, unknown.Exit);
        Assert.Contains("no deferred request 'id-1' of orders", Assert.Single(unknown.ErrorLines), StringComparison.Ordinal);

        var all = await RunAsync(On("deferred", "drop", "--service", "orders", "--all"));

        Assert.Equal(["dropped 2 deferred requests of orders"], all.OutputLines);
        Assert.Empty(await _deferred.ListAllAsync("orders", Token));
    }

    [Fact]
    public async Task ReplayPublishesAReplayRequestTheReplayersRuleMatches()
    {
        await DeferAsync("orders", 2);
        await using var bridge = await LoopbackEventBridge.StartAsync();

        var run = await RunAsync([.. On("deferred", "replay", "--service", "orders"), "--event-bus-name", "breaker-bus", "--events-endpoint-url", bridge.Endpoint.AbsoluteUri]);

        Assert.Equal(0, run.Exit);
        Assert.Contains("published 'Deferred Replay Requested' for orders on bus breaker-bus", run.Output, StringComparison.Ordinal);
        var entry = JsonDocument.Parse(Assert.Single(bridge.Requests).Body).RootElement.GetProperty("Entries")[0];
        Assert.Equal((StateChangeEvents.Source, DeferredReplays.DetailType), (entry.GetProperty("Source").GetString(), entry.GetProperty("DetailType").GetString()));
        var envelope = $$"""{"source":"{{entry.GetProperty("Source").GetString()}}","detail-type":"{{entry.GetProperty("DetailType").GetString()}}","detail":{{entry.GetProperty("Detail").GetString()}} }""";
        Assert.True(EventPatternMatcher.Parse(EventPatterns.ReplayOnClose).Matches(envelope));
        Assert.Equal("orders", JsonDocument.Parse(entry.GetProperty("Detail").GetString()!).RootElement.GetProperty("serviceId").GetString());
        Assert.Equal(2, (await _deferred.ListAllAsync("orders", Token)).Count);
    }
}
