using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using CircuitBreaker.Aws.Configuration;
using CircuitBreaker.Aws.DynamoDb;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Breaker;
using CircuitBreaker.Core.Configuration;
using CircuitBreaker.Core.Logging;
using CircuitBreaker.Core.Store;
using CircuitBreaker.Functions;
using CircuitBreaker.Local.DynamoDb;
using CircuitBreaker.Polly;
using CircuitBreaker.Tests.Logging;
using CircuitBreaker.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using Polly;

namespace CircuitBreaker.Tests.Breaker;

/// <summary>
/// A state read DynamoDB throttles (the limits proxy in front of dynalite, answering past an item's read budget as DynamoDB
/// does) is not retried on the request path: the instance decides on the state it read shortly before, or by failOpen when
/// that is older than <see cref="StateReadMemory.ThrottledReadStandIn"/>; it logs at most one line a second and counts the
/// request as StateReadsThrottled. The webservice as the bootstrap builds it (its own clients from the environment), and
/// the Polly library's DynamoDB circuit. The budgets' clock and the functions' clock are one fake clock.
/// </summary>
[Collection(DynaliteTests.Name)]
public sealed class ThrottledStateReadTests(DynaliteFixture dynalite) : IAsyncLifetime
{
    private const double ReadsPerSecond = 2;

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly DynamoDbRequestCounter _counter = new();
    private readonly IAmazonDynamoDB _direct = dynalite.CreateClient();
    private DynamoDbProxy _proxy = null!;
    private IAmazonDynamoDB _throughProxy = null!;
    private CountingHttpServer _downstream = null!;
    private string _table = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _table = await dynalite.CreateTableAsync(_direct, Token);
        _proxy = await DynamoDbProxy.StartAsync(dynalite.Endpoint, _counter, new ItemThroughput(new ItemThroughputLimits(ReadsPerSecond, 100), _time), Token);
        _throughProxy = AwsClientFactory.DynamoDb(_proxy.Endpoint, DynaliteFixture.Region, TimeSpan.FromSeconds(10), DynaliteFixture.Credentials, maxErrorRetry: 0);
        _downstream = await CountingHttpServer.StartAsync(context => context.Response.WriteAsync("ok"));
    }

    public async ValueTask DisposeAsync()
    {
        await _downstream.DisposeAsync();
        _throughProxy.Dispose();
        await _proxy.DisposeAsync();
        _direct.Dispose();
    }

    private Func<string, string?> Environment(string serviceId, bool failOpen = true)
    {
        var variables = new Dictionary<string, string>
        {
            [FunctionEnvironment.Handler] = HandlerNames.Webservice,
            [FunctionEnvironment.TableName] = _table,
            [FunctionEnvironment.EventBusName] = "failures",
            [FunctionEnvironment.Region] = DynaliteFixture.Region,
            [FunctionEnvironment.DynamoDbEndpointUrl] = _proxy.Endpoint.AbsoluteUri,
            [FunctionEnvironment.EventsEndpointUrl] = "http://127.0.0.1:9/",
            ["AWS_ACCESS_KEY_ID"] = "local",
            ["AWS_SECRET_ACCESS_KEY"] = "local",
            [CircuitSettingKeys.DownstreamUrl.EnvironmentVariable] = _downstream.Address.AbsoluteUri,
            [CircuitSettingKeys.ServiceId.EnvironmentVariable] = serviceId,
            [CircuitSettingKeys.FailOpen.EnvironmentVariable] = failOpen ? "true" : "false",
        };
        return name => variables.GetValueOrDefault(name);
    }

    private async Task<(int Status, IReadOnlyDictionary<string, double> Metrics)> RequestAsync(FunctionInstance instance, CapturedLog log)
    {
        var before = log.WithMessage("request handled").Count;
        var answer = await instance.Handler.HandleAsync(Invocations.Of(Invocations.HttpApiEvent(), _time, TimeSpan.FromSeconds(12)), Token);
        var status = JsonDocument.Parse(answer).RootElement.GetProperty("statusCode").GetInt32();
        var line = log.WithMessage("request handled")[before];
        var timestamp = DateTimeOffset.Parse(line.GetProperty("timestamp").GetString()!, System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
        return (status, EmbeddedMetricsShape.AssertValid(line, CircuitPolicy.Default.MetricsNamespace, timestamp));
    }

    // Spends what is left of the state item's read budget this instant, as other instances' reads would.
    private async Task DrainReadBudgetAsync(string serviceId)
    {
        var request = new GetItemRequest
        {
            TableName = _table,
            Key = new Dictionary<string, AttributeValue>
            {
                [CircuitTable.PartitionKey] = new() { S = serviceId },
                [CircuitTable.SortKey] = new() { S = CircuitItemKeys.State },
            },
            ConsistentRead = true,
        };
        for (var i = 0; i < ReadsPerSecond; i++)
        {
            try
            {
                await _throughProxy.GetItemAsync(request, Token);
            }
            catch (ProvisionedThroughputExceededException)
            {
                return;
            }
        }
    }

    private static IReadOnlyList<JsonElement> ThrottledLines(CapturedLog log) =>
        [.. log.Lines.Where(line => line.GetProperty("message").GetString()!.StartsWith(CircuitGate.ThrottledReadMessage, StringComparison.Ordinal))];

    [Fact]
    public async Task AThrottledReadIsNotRetriedAndTheStateReadBeforeDecides()
    {
        const string ServiceId = "throttled-isolated";
        await new DynamoDbCircuitStore(_direct, _table).IsolateAsync(ServiceId, Token);
        var log = new CapturedLog(_time, "webservice");
        using var instance = FunctionInstance.Create(Environment(ServiceId), _time, log.Log);

        var (isolated, _) = await RequestAsync(instance, log);
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, isolated);

        // The isolated state is rechecked after a second; by then the item's budget is spent by others.
        _time.Advance(CircuitGate.HalfOpenRecheck);
        await DrainReadBudgetAsync(ServiceId);
        var readsBefore = _counter.Snapshot()["GetItem"];
        var (status, metrics) = await RequestAsync(instance, log);

        // One GetItem, throttled, not retried; the isolated state read a second ago still refuses the call.
        Assert.Equal(readsBefore + 1, _counter.Snapshot()["GetItem"]);
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, status);
        Assert.Equal(0, _downstream.Calls);
        Assert.Equal(1, metrics[CircuitMetrics.StateReadsThrottled]);
        Assert.Equal(1, metrics[CircuitMetrics.FailedFast]);
        var line = Assert.Single(ThrottledLines(log));
        Assert.Contains("the state read before", line.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AThrottledReadWithNoRecentStateFailsOpenAtOnceAndIsLoggedOnceASecond()
    {
        const string ServiceId = "throttled-closed";
        var log = new CapturedLog(_time, "webservice");
        using var instance = FunctionInstance.Create(Environment(ServiceId), _time, log.Log);
        Assert.Equal(StatusCodes.Status200OK, (await RequestAsync(instance, log)).Status);

        // The closed state read is older than the stand-in's bound: the throttled read leaves failOpen to decide.
        _time.Advance(StateReadMemory.ThrottledReadStandIn);
        await DrainReadBudgetAsync(ServiceId);
        var readsBefore = _counter.Snapshot()["GetItem"];
        for (var i = 0; i < 5; i++)
        {
            var (status, metrics) = await RequestAsync(instance, log);
            Assert.Equal(StatusCodes.Status200OK, status);
            Assert.Equal(1, metrics[CircuitMetrics.StateReadsThrottled]);
            Assert.Equal(1, metrics[CircuitMetrics.Relayed]);
        }

        Assert.Equal(readsBefore + 5, _counter.Snapshot()["GetItem"]);
        Assert.Equal(6, _downstream.Calls);
        var first = Assert.Single(ThrottledLines(log));
        Assert.Contains("no recent state, failing open", first.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(log.WithMessage("breaker store unavailable: failing open, calling the downstream"));

        // A second later the next throttled read is logged again, with the reads throttled since the last line.
        _time.Advance(CircuitGate.ThrottledLogInterval - TimeSpan.FromMilliseconds(1));
        await DrainReadBudgetAsync(ServiceId);
        await RequestAsync(instance, log);
        Assert.Single(ThrottledLines(log));
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await DrainReadBudgetAsync(ServiceId);
        await RequestAsync(instance, log);
        var lines = ThrottledLines(log);
        Assert.Equal(2, lines.Count);
        Assert.Equal(1, lines[0].GetProperty("throttledReads").GetInt64());
        Assert.Equal(6, lines[1].GetProperty("throttledReads").GetInt64());
    }

    [Fact]
    public async Task ThePollyLibraryFailsClosedAtOnceOnAThrottledReadWithNoRecentStateWhenFailOpenIsOff()
    {
        const string ServiceId = "throttled-library";
        var options = new DistributedCircuitBreakerStrategyOptions
        {
            ServiceId = ServiceId,
            TableName = _table,
            EventBusName = "failures",
            FailOpen = false,
            TimeProvider = _time,
        };
        using var circuit = DynamoDbDistributedCircuit.Create(options, Environment(ServiceId), TextWriter.Null, TimeSpan.FromSeconds(10));
        options.Circuit = circuit;
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = _time }.AddDistributedCircuitBreaker(options).Build();

        await DrainReadBudgetAsync(ServiceId);
        var readsBefore = _counter.Snapshot().GetValueOrDefault("GetItem");
        var context = ResilienceContextPool.Shared.Get(Token);
        var outcome = await pipeline.ExecuteOutcomeAsync<int, object?>(static (_, _) => Outcome.FromResultAsValueTask(1), context, null);

        Assert.IsType<BreakerUnavailableException>(outcome.Exception);
        Assert.True(context.Properties.GetValue(DistributedCircuitBreakerProperties.Admission, default).StateReadThrottled);
        Assert.Equal(readsBefore + 1, _counter.Snapshot()["GetItem"]);
    }
}
