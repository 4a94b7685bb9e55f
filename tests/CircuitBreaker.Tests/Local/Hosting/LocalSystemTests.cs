using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using CircuitBreaker.Contract;
using CircuitBreaker.Local.Cli;
using CircuitBreaker.Local.Downstream;
using CircuitBreaker.Local.Hosting;
using CircuitBreaker.Tests.Local.LambdaService;

namespace CircuitBreaker.Tests.Local.Hosting;

/// <summary>
/// The servers composed, with stand-in functions that speak the same protocols as the real ones:
/// the webservice calls the downstream and puts a failure event; the recorder keeps what it receives.
/// </summary>
public sealed class LocalSystemTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ARequestReachesTheDownstreamThroughTheWebserviceWithTheStacksEnvironment()
    {
        var functions = new StandInFunctions();
        await using var system = await StartAsync(functions, "simulate:ok");
        using var client = new HttpClient { BaseAddress = system.Api.BaseAddress };

        using var response = await client.GetAsync("/hello", Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("downstream-simulator", await response.Content.ReadAsStringAsync(Token), StringComparison.Ordinal);
        Assert.Equal(1, system.Simulator!.Calls);
        var environment = functions.Environments[HandlerNames.Webservice];
        Assert.Equal(HandlerNames.Webservice, environment(FunctionEnvironment.Handler));
        Assert.Equal(system.Simulator.BaseAddress.AbsoluteUri, environment(CircuitSettingKeys.DownstreamUrl.EnvironmentVariable));
        Assert.Equal("0.5", environment(CircuitSettingKeys.DownstreamTimeoutSeconds.EnvironmentVariable));
        Assert.Equal(system.Events.BaseAddress.AbsoluteUri, environment(FunctionEnvironment.EventsEndpointUrl));
        Assert.Equal(LocalSystem.TableName, environment(FunctionEnvironment.TableName));
        Assert.Equal(LocalSystem.BusName, environment(FunctionEnvironment.EventBusName));
        Assert.Equal(system.Lambda.RuntimeApiFor(HandlerNames.Webservice), environment(FunctionEnvironment.RuntimeApi));
        Assert.Equal("http://127.0.0.1:4567/", environment(FunctionEnvironment.DynamoDbEndpointUrl));
    }

    [Fact]
    public async Task AFailureEventPutByTheWebserviceReachesTheRecorder()
    {
        var functions = new StandInFunctions();
        await using var system = await StartAsync(functions, "simulate:fail");
        using var client = new HttpClient { BaseAddress = system.Api.BaseAddress };

        using var response = await client.GetAsync("/", Token);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var until = DateTime.UtcNow.AddSeconds(10);
        // Delivered means the Lambda service took the event; the recorder has it once its invocation succeeded.
        while (system.RecorderInvocations.Succeeded == 0)
        {
            Assert.True(DateTime.UtcNow < until, "the recorder got nothing within 10 s");
            await Task.Delay(20, Token);
        }

        using var envelope = JsonDocument.Parse(functions.Recorded.Single());
        Assert.Equal(FailureEvents.Source, envelope.RootElement.GetProperty("source").GetString());
        Assert.Equal("server-error", envelope.RootElement.GetProperty("detail").GetProperty("reason").GetString());
        Assert.Equal(1, system.Lambda.Statistics(HandlerNames.Recorder).Succeeded);
    }

    [Fact]
    public async Task TheEndpointsAreDescribed()
    {
        await using var system = await StartAsync(new StandInFunctions(), "simulate:hang");

        var lines = system.DescribeEndpoints().ToArray();

        Assert.Contains(lines, line => line.Contains(system.Api.BaseAddress.ToString(), StringComparison.Ordinal));
        Assert.Contains(lines, line => line.Contains(system.Simulator!.BaseAddress.ToString(), StringComparison.Ordinal) && line.Contains("mode hang", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheBannerPrintsTheDynamoDbEndpointTableAndCircuitctlCommandOnOneLine()
    {
        await using var system = await StartAsync(new StandInFunctions(), "simulate:ok");

        var line = Assert.Single(system.DescribeEndpoints(), line => line.StartsWith("DynamoDB:", StringComparison.Ordinal));

        Assert.EndsWith(
            $"(dynalite, started here; table {LocalSystem.TableName}; circuitctl status --endpoint-url http://127.0.0.1:4567/ --table {LocalSystem.TableName} "
                + $"--event-bus-name {LocalSystem.BusName} --events-endpoint-url {system.Events.BaseAddress})",
            line,
            StringComparison.Ordinal);
    }

    [Fact]
    public void AStateChangeEventIsShownAsOneConsoleLine()
    {
        var envelope = """{"detail-type":"Circuit State Changed","source":"circuit-breaker","detail":{"serviceId":"orders","from":"closed","to":"isolated","reason":"isolated by an operator"}}"""u8.ToArray();

        Assert.Equal("[event] Circuit State Changed: orders closed -> isolated (isolated by an operator)", LocalSystem.DescribeStateChange(envelope));
    }

    private static Task<LocalSystem> StartAsync(StandInFunctions functions, string downstream)
    {
        var options = LocalOptionsParser.Parse(["--port", "0", "--downstream", downstream, "--timeout-seconds", "0.5"]).Options!;
        return LocalSystem.StartAsync(options, functions.RunAsync, new Uri("http://127.0.0.1:4567/"), TimeProvider.System, TextWriter.Null, null, Token);
    }

    private sealed class StandInFunctions
    {
        public ConcurrentDictionary<string, Func<string, string?>> Environments { get; } = new();

        public ConcurrentQueue<string> Recorded { get; } = new();

        public Task RunAsync(Func<string, string?> environment, CancellationToken stop)
        {
            var handler = environment(FunctionEnvironment.Handler)!;
            Environments[handler] = environment;
            return FakeRuntimeInstance.RunAsync(environment(FunctionEnvironment.RuntimeApi)!, (_, payload) => handler == HandlerNames.Recorder
                ? Record(payload)
                : CallDownstreamAsync(environment, stop), stop);
        }

        private Task<FakeAnswer> Record(byte[] envelope)
        {
            Recorded.Enqueue(Encoding.UTF8.GetString(envelope));
            return Task.FromResult(FakeAnswer.Response("{}"u8.ToArray()));
        }

        private static async Task<FakeAnswer> CallDownstreamAsync(Func<string, string?> environment, CancellationToken stop)
        {
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };
            using var downstream = await client.GetAsync(environment(CircuitSettingKeys.DownstreamUrl.EnvironmentVariable), stop);
            var body = await downstream.Content.ReadAsStringAsync(stop);
            if (downstream.IsSuccessStatusCode)
            {
                return FakeAnswer.Response(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object> { ["statusCode"] = 200, ["body"] = body }));
            }

            var detail = JsonSerializer.Serialize(new Dictionary<string, string> { ["serviceId"] = "sim", ["reason"] = FailureReasons.ServerError });
            var putEvents = JsonSerializer.Serialize(new
            {
                Entries = new[]
                {
                    new { Source = FailureEvents.Source, DetailType = FailureEvents.DetailType, Detail = detail, EventBusName = environment(FunctionEnvironment.EventBusName) },
                },
            });
            using var request = new HttpRequestMessage(HttpMethod.Post, environment(FunctionEnvironment.EventsEndpointUrl))
            {
                Content = new StringContent(putEvents, Encoding.UTF8, "application/x-amz-json-1.1"),
            };
            request.Headers.TryAddWithoutValidation("X-Amz-Target", "AWSEvents.PutEvents");
            request.Headers.TryAddWithoutValidation("Authorization", "AWS4-HMAC-SHA256 Credential=local/20261128/us-east-1/events/aws4_request, SignedHeaders=host, Signature=00");
            using var put = await client.SendAsync(request, stop);
            put.EnsureSuccessStatusCode();
            return FakeAnswer.Response("""{"statusCode":502,"body":"downstream failed"}"""u8.ToArray());
        }
    }
}
