using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.DynamoDBv2.Model;
using CircuitBreaker.Contract;
using CircuitBreaker.Local.LambdaService;
using CircuitBreaker.Tests.Events;
using CircuitBreaker.Tests.Support;

namespace CircuitBreaker.Tests.Aot;

/// <summary>
/// What counts as a failure, in the published binary (the webservice now runs the Polly pipeline, so trimming or AOT
/// could change it): statuses and reasons on the failure event, the downstream's Retry-After carried to the recorder, and
/// the recorder keeping the circuit open for it.
/// </summary>
public sealed partial class BootstrapBinaryTests
{
    [Theory]
    [InlineData(429, FailureReasons.ClientOverload)]
    [InlineData(408, FailureReasons.RequestTimeout)]
    public async Task TheBinaryCountsA429OrA408AsAFailureNamedByItsStatusAndRelaysTheAnswer(int status, string reason)
    {
        await using var downstream = RawHttpServer.Start(_ => RawHttpServer.Response(status, "text/plain", "later"u8.ToArray(), "Retry-After: 30"));
        await using var events = await LoopbackEventBridge.StartAsync();
        using var process = new BootstrapProcess(RequireBinary(), LambdaEnvironment(HandlerNames.Webservice, downstream.Address, events.Endpoint));

        var response = await RelayAsync(Invocations.HttpApiEvent(), process);

        Assert.Equal(status, response.GetProperty("statusCode").GetInt32());
        Assert.Equal("later", response.GetProperty("body").GetString());
        var detail = DetailOf(Assert.Single(events.Requests));
        Assert.Equal(reason, detail.GetProperty("reason").GetString());
        Assert.Equal(status, detail.GetProperty("statusCode").GetInt32());

        // Retry-After means "come back later" on a 429 or a 503 only.
        Assert.Equal(status == 429, detail.TryGetProperty("retryAfterMs", out var retryAfter));
        if (status == 429)
        {
            Assert.Equal(30_000, retryAfter.GetInt64());
        }
    }

    [Fact]
    public async Task TheBinaryRelaysA404WithoutCountingItAsAFailure()
    {
        await using var downstream = RawHttpServer.Start(_ => RawHttpServer.Response(404, "text/plain", "none"u8.ToArray()));
        await using var events = await LoopbackEventBridge.StartAsync();
        using var process = new BootstrapProcess(RequireBinary(), LambdaEnvironment(HandlerNames.Webservice, downstream.Address, events.Endpoint));

        var response = await RelayAsync(Invocations.HttpApiEvent(), process);

        Assert.Equal(404, response.GetProperty("statusCode").GetInt32());
        Assert.Empty(events.Requests);
    }

    [Fact]
    public async Task TheBinaryCarriesA503sRetryAfterDateOnTheFailureEvent()
    {
        var until = DateTimeOffset.UtcNow.AddSeconds(100);
        await using var downstream = RawHttpServer.Start(_ => RawHttpServer.Response(503, "text/plain", [], $"Retry-After: {until.ToString("R", CultureInfo.InvariantCulture)}"));
        await using var events = await LoopbackEventBridge.StartAsync();
        using var process = new BootstrapProcess(RequireBinary(), LambdaEnvironment(HandlerNames.Webservice, downstream.Address, events.Endpoint));

        var response = await RelayAsync(Invocations.HttpApiEvent(), process);

        Assert.Equal(502, response.GetProperty("statusCode").GetInt32());
        var detail = DetailOf(Assert.Single(events.Requests));
        Assert.Equal((FailureReasons.ServerError, 503), (detail.GetProperty("reason").GetString(), detail.GetProperty("statusCode").GetInt32()));
        Assert.InRange(detail.GetProperty("retryAfterMs").GetInt64(), 90_000, 100_000);
    }

    [Fact]
    public async Task TheBinarysRecorderKeepsTheCircuitOpenForTheFailuresRetryAfterUpToItsCap()
    {
        var environment = LambdaEnvironment(HandlerNames.Recorder, new Uri("http://downstream.test/"));
        environment["FAILURE_THRESHOLD"] = "1";
        environment["MAX_RETRY_AFTER_SECONDS"] = "200";
        using var process = new BootstrapProcess(RequireBinary(), environment);
        var now = DateTimeOffset.UtcNow;
        var envelope = new JsonObject
        {
            ["version"] = "0",
            ["id"] = "2d0d3f3e-0c55-4b0e-9d7e-6a3c7e1f2b10",
            ["source"] = FailureEvents.Source,
            ["detail-type"] = FailureEvents.DetailType,
            ["time"] = now.ToString("O"),
            ["detail"] = JsonSerializer.SerializeToNode(
                new FailureEventDetail("downstream.test", now.ToUnixTimeMilliseconds(), FailureReasons.ClientOverload, 429, "req-1", 12, RetryAfterMilliseconds: 3_600_000),
                ContractJsonContext.Default.FailureEventDetail),
        };

        var outcome = await _runtimeApi.Enqueue(envelope.ToJsonString()).WaitAsync(AnswerBound, TestContext.Current.CancellationToken);

        Assert.True(outcome.Outcome == InvocationOutcome.Success, process.Output);
        Assert.True(JsonDocument.Parse(outcome.Payload).RootElement.GetProperty("opened").GetBoolean());
        var state = await _client.GetItemAsync(
            new GetItemRequest
            {
                TableName = _table,
                Key = new Dictionary<string, AttributeValue> { [CircuitTable.PartitionKey] = new() { S = "downstream.test" }, [CircuitTable.SortKey] = new() { S = "state" } },
                ConsistentRead = true,
            },
            TestContext.Current.CancellationToken);
        var openFor = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(state.Item["openUntil"].N, CultureInfo.InvariantCulture)) - now;
        Assert.InRange(openFor, TimeSpan.FromSeconds(195), TimeSpan.FromSeconds(205));
    }

    private static JsonElement DetailOf(RecordedRequest request)
    {
        var entry = JsonDocument.Parse(request.Body).RootElement.GetProperty("Entries")[0];
        Assert.Equal(FailureEvents.DetailType, entry.GetProperty("DetailType").GetString());
        return JsonDocument.Parse(entry.GetProperty("Detail").GetString()!).RootElement.Clone();
    }
}
