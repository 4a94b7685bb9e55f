using System.Text;
using System.Text.Json;
using CircuitBreaker.Aws.Configuration;
using CircuitBreaker.Aws.DynamoDb;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Breaker;
using CircuitBreaker.Core.Configuration;
using CircuitBreaker.Core.Store;
using CircuitBreaker.Local.Dynalite;
using CircuitBreaker.Polly;
using CircuitBreaker.Tests.Events;
using CircuitBreaker.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Polly;
using Polly.CircuitBreaker;

namespace CircuitBreaker.Tests.Polly;

/// <summary>
/// The README's library example, run as written: the breaker on an <c>IHttpClientBuilder</c> with
/// <c>AddResilienceHandler</c>, its options bound from <see cref="IConfiguration"/>, over the deployed backend (a dynalite
/// table, a loopback EventBridge, the recorder's own class fed with what the bus received). It sets the process
/// environment as Lambda would (region, endpoints, credentials), so it runs alone, after the parallel tests.
/// </summary>
[Collection(WholeSystemTests.Name)]
public sealed class HttpClientBuilderExampleTests : IAsyncLifetime
{
    private static readonly string[] Variables =
        [FunctionEnvironment.Region, FunctionEnvironment.DynamoDbEndpointUrl, FunctionEnvironment.EventsEndpointUrl, "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"];

    private readonly Dictionary<string, string?> _saved = Variables.ToDictionary(name => name, Environment.GetEnvironmentVariable);
    private DynaliteServer _dynalite = null!;
    private LoopbackEventBridge _bus = null!;
    private Amazon.DynamoDBv2.IAmazonDynamoDB _client = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _dynalite = await DynaliteServer.StartAsync(DynaliteOptions.ForRepository(DynaliteFixture.RepositoryRoot), Token);
        _client = AwsClientFactory.DynamoDb(_dynalite.Endpoint, DynaliteFixture.Region, TimeSpan.FromSeconds(5), DynaliteFixture.Credentials);
        await new CircuitTableProvisioner().CreateAsync(_client, "circuit-breaker", Token);
        _bus = await LoopbackEventBridge.StartAsync();
        Environment.SetEnvironmentVariable(FunctionEnvironment.Region, DynaliteFixture.Region);
        Environment.SetEnvironmentVariable(FunctionEnvironment.DynamoDbEndpointUrl, _dynalite.Endpoint.AbsoluteUri);
        Environment.SetEnvironmentVariable(FunctionEnvironment.EventsEndpointUrl, _bus.Endpoint.AbsoluteUri);
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "local");
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "local");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (name, value) in _saved)
        {
            Environment.SetEnvironmentVariable(name, value);
        }

        _client.Dispose();
        await _bus.DisposeAsync();
        await _dynalite.DisposeAsync();
    }

    [Fact]
    public async Task TheReadmeExampleOpensTheSharedCircuitAndHonoursTheDownstreamsRetryAfter()
    {
        await using var orders = RawHttpServer.Start(_ => RawHttpServer.Response(503, "text/plain", [], "Retry-After: 120"));
        var appsettings = $$"""
            {
              "OrdersUrl": "{{orders.Address}}",
              "OrdersCircuit": {
                "ServiceId": "orders-api",
                "TableName": "circuit-breaker",
                "EventBusName": "circuit-breaker-failures",
                "FailureThreshold": 3,
                "Window": "00:01:00",
                "OpenDuration": "00:01:00",
                "FailureStatusCodes": "500-599,408,429",
                "MaxRetryAfter": "00:05:00"
              }
            }
            """;
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(appsettings))).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);

        // README.md, "Inside your own functions: the Polly library", as written there.
        services
            .AddHttpClient("orders", client => client.BaseAddress = new Uri(configuration["OrdersUrl"]!))
            .AddResilienceHandler("orders-circuit", (pipeline, context) =>
            {
                var options = new DistributedCircuitBreakerStrategyOptions<HttpResponseMessage>();
                context.ServiceProvider.GetRequiredService<IConfiguration>().GetSection("OrdersCircuit").Bind(options);
                pipeline
                    .AddDistributedCircuitBreaker(options)   // 5xx, 408, 429 and exceptions count; Retry-After is honoured
                    .AddTimeout(TimeSpan.FromSeconds(10));   // inside the breaker: a timeout counts as a failure
            });

        await using var provider = services.BuildServiceProvider();
        var http = provider.GetRequiredService<IHttpClientFactory>().CreateClient("orders");
        for (var i = 0; i < 3; i++)
        {
            using var failed = await http.GetAsync("/orders/7", Token);
            Assert.Equal(503, (int)failed.StatusCode);
        }

        await RecordWhatTheBusReceivedAsync();
        var refused = await Assert.ThrowsAsync<BrokenCircuitException>(() => http.GetAsync("/orders/8", Token));

        Assert.Equal(3, orders.Received.Count);
        Assert.InRange(refused.RetryAfter!.Value, TimeSpan.FromSeconds(115), TimeSpan.FromSeconds(120));
    }

    // The stack's rule hands each failure event to the recorder; here the test does, with the recorder's own class and the
    // stack's defaults (threshold 3 within 60 s, open 60 s, a Retry-After kept up to 300 s).
    private async Task RecordWhatTheBusReceivedAsync()
    {
        var recorder = new FailureRecorder(
            new DynamoDbCircuitStore(_client, "circuit-breaker", TimeProvider.System), CircuitPolicy.Default, TimeProvider.System, new CapturedLog(TimeProvider.System, "recorder").Log);
        foreach (var request in _bus.Requests)
        {
            var entry = JsonDocument.Parse(request.Body).RootElement.GetProperty("Entries")[0];
            var detail = JsonSerializer.Deserialize(entry.GetProperty("Detail").GetString()!, ContractJsonContext.Default.FailureEventDetail)!;
            Assert.Equal((FailureReasons.ServerError, 503, 120_000L), (detail.Reason, detail.StatusCode, detail.RetryAfterMilliseconds));
            await recorder.RecordAsync(Guid.NewGuid().ToString("N"), detail, Token);
        }
    }
}
