using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using CircuitBreaker.Contract;
using CircuitBreaker.Local.LambdaService;
using CircuitBreaker.Tests.Events;
using CircuitBreaker.Tests.Support;
using Microsoft.AspNetCore.Http;

namespace CircuitBreaker.Tests.Aot;

/// <summary>
/// The published Native AOT <c>bootstrap</c>, as Lambda runs it: a process with only Lambda's environment, talking to a
/// Runtime API (the local host's Lambda service), DynamoDB (dynalite) and EventBridge (a loopback endpoint) over HTTP.
/// </summary>
[Collection(DynaliteTests.Name)]
public sealed partial class BootstrapBinaryTests(DynaliteFixture dynalite, BootstrapBinary binary) : IClassFixture<BootstrapBinary>, IAsyncLifetime
{
    private static readonly TimeSpan AnswerBound = TimeSpan.FromSeconds(30);
    private readonly IAmazonDynamoDB _client = dynalite.CreateClient();
    private LocalLambdaService _runtimeApi = null!;
    private string _table = null!;

    public async ValueTask InitializeAsync()
    {
        _runtimeApi = await LocalRuntimeApi.StartAsync();
        _table = await dynalite.CreateTableAsync(_client, TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _runtimeApi.DisposeAsync();
        _client.Dispose();
    }

    /// <summary>The binary, or the test says it skipped and why.</summary>
    private string RequireBinary()
    {
        if (binary.Path is null)
        {
            Assert.Skip(binary.Unavailable ?? "no bootstrap binary.");
        }

        return binary.Path;
    }

    private Dictionary<string, string> LambdaEnvironment(string handler, Uri downstream, Uri? events = null) => new()
    {
        [FunctionEnvironment.RuntimeApi] = _runtimeApi.RuntimeApiFor(LocalRuntimeApi.Function),
        [FunctionEnvironment.Handler] = handler,
        [FunctionEnvironment.Region] = DynaliteFixture.Region,
        [FunctionEnvironment.TableName] = _table,
        [FunctionEnvironment.EventBusName] = "circuit-breaker-failures",
        [FunctionEnvironment.DynamoDbEndpointUrl] = dynalite.Endpoint.AbsoluteUri,
        [FunctionEnvironment.EventsEndpointUrl] = (events ?? new Uri("http://127.0.0.1:9/")).AbsoluteUri,
        ["AWS_ACCESS_KEY_ID"] = "AKIDEXAMPLE",
        ["AWS_SECRET_ACCESS_KEY"] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        ["AWS_SESSION_TOKEN"] = "session-token",
        ["DOWNSTREAM_URL"] = downstream.AbsoluteUri,
        ["DOWNSTREAM_TIMEOUT_SECONDS"] = "0.5",
    };

    [Fact]
    public async Task TheWebserviceRelaysAHealthyDownstreamsAnswer()
    {
        await using var downstream = await CountingHttpServer.StartAsync(context =>
        {
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync($"{{\"served\":\"{context.Request.Path}\"}}");
        });
        using var process = new BootstrapProcess(RequireBinary(), LambdaEnvironment(HandlerNames.Webservice, downstream.Address));

        var outcome = await _runtimeApi.Enqueue(Invocations.HttpApiEvent(path: "/hello")).WaitAsync(AnswerBound, TestContext.Current.CancellationToken);

        Assert.True(outcome.Outcome == InvocationOutcome.Success, process.Output);
        var response = JsonDocument.Parse(outcome.Payload).RootElement;
        Assert.Equal(200, response.GetProperty("statusCode").GetInt32());
        Assert.Equal("{\"served\":\"/hello\"}", response.GetProperty("body").GetString());
        Assert.Contains("\"message\":\"request handled\"", process.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheWebservicePublishesASignedFailureEventWhenTheDownstreamFails()
    {
        await using var downstream = await CountingHttpServer.StartAsync(context =>
        {
            context.Response.StatusCode = 500;
            return Task.CompletedTask;
        });
        await using var events = await LoopbackEventBridge.StartAsync();
        using var process = new BootstrapProcess(RequireBinary(), LambdaEnvironment(HandlerNames.Webservice, downstream.Address, events.Endpoint));

        var outcome = await _runtimeApi.Enqueue(Invocations.HttpApiEvent()).WaitAsync(AnswerBound, TestContext.Current.CancellationToken);

        Assert.True(outcome.Outcome == InvocationOutcome.Success, process.Output);
        Assert.Equal(502, JsonDocument.Parse(outcome.Payload).RootElement.GetProperty("statusCode").GetInt32());
        var request = Assert.Single(events.Requests);
        Assert.Equal("AWSEvents.PutEvents", request.Header("x-amz-target"));
        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/", request.Header("authorization"), StringComparison.Ordinal);
        Assert.Equal("session-token", request.Header("x-amz-security-token"));
        var entry = JsonDocument.Parse(request.Body).RootElement.GetProperty("Entries")[0];
        Assert.Equal(FailureEvents.Source, entry.GetProperty("Source").GetString());
        Assert.Equal(FailureEvents.DetailType, entry.GetProperty("DetailType").GetString());
    }

    [Fact]
    public async Task TheRecorderStoresAFailureEventInDynamoDb()
    {
        using var process = new BootstrapProcess(RequireBinary(), LambdaEnvironment(HandlerNames.Recorder, new Uri("http://downstream.test/")));
        var envelope = new JsonObject
        {
            ["version"] = "0",
            ["id"] = "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
            ["source"] = FailureEvents.Source,
            ["detail-type"] = FailureEvents.DetailType,
            ["time"] = DateTimeOffset.UtcNow.ToString("O"),
            ["detail"] = JsonSerializer.SerializeToNode(
                new FailureEventDetail("downstream.test", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), FailureReasons.Timeout, null, "req-1", 500),
                ContractJsonContext.Default.FailureEventDetail),
        };

        var outcome = await _runtimeApi.Enqueue(envelope.ToJsonString()).WaitAsync(AnswerBound, TestContext.Current.CancellationToken);

        Assert.True(outcome.Outcome == InvocationOutcome.Success, process.Output);
        Assert.True(JsonDocument.Parse(outcome.Payload).RootElement.GetProperty("stored").GetBoolean());
        var items = await _client.QueryAsync(
            new QueryRequest
            {
                TableName = _table,
                KeyConditionExpression = "pk = :pk",
                ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":pk"] = new AttributeValue { S = "downstream.test" } },
            },
            TestContext.Current.CancellationToken);
        Assert.Contains(items.Items, item => item[CircuitTable.SortKey].S.EndsWith("#6a7e8feb-b491-4cf7-a9f1-bf3703467718", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AMalformedEventIsAnInvocationErrorAndTheProcessServesTheNextOne()
    {
        await using var downstream = await CountingHttpServer.StartAsync(context => context.Response.WriteAsync("ok"));
        using var process = new BootstrapProcess(RequireBinary(), LambdaEnvironment(HandlerNames.Webservice, downstream.Address));

        var bad = await _runtimeApi.Enqueue("{\"version\":").WaitAsync(AnswerBound, TestContext.Current.CancellationToken);
        var good = await _runtimeApi.Enqueue(Invocations.HttpApiEvent()).WaitAsync(AnswerBound, TestContext.Current.CancellationToken);

        Assert.Equal(InvocationOutcome.FunctionError, bad.Outcome);
        Assert.Equal("Runtime.InvalidEvent", bad.ErrorType);
        Assert.Equal(InvocationOutcome.Success, good.Outcome);
    }

    [Fact]
    public async Task ABadConfigurationIsReportedAsAnInitErrorAndTheProcessExits()
    {
        var environment = LambdaEnvironment(HandlerNames.Webservice, new Uri("http://downstream.test/"));
        environment["FAILURE_THRESHOLD"] = "zero";
        var waiting = _runtimeApi.Enqueue(Invocations.HttpApiEvent());
        using var process = new BootstrapProcess(RequireBinary(), environment);

        // As Lambda does, the service answers the waiting invocation with the init error.
        var initError = await waiting.WaitAsync(AnswerBound, TestContext.Current.CancellationToken);

        Assert.Equal(InvocationOutcome.FunctionError, initError.Outcome);
        Assert.Contains("FAILURE_THRESHOLD is 'zero'", initError.Error().ErrorMessage, StringComparison.Ordinal);
        Assert.True(await process.WaitForExitAsync(AnswerBound), process.Output);
        Assert.Equal(1, process.ExitCode);
    }
}
