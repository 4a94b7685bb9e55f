using System.Diagnostics;
using System.Text.Json;
using Amazon.DynamoDBv2;
using CircuitBreaker.Aws.Configuration;
using CircuitBreaker.Aws.DynamoDb;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Configuration;
using CircuitBreaker.Core.Store;
using CircuitBreaker.Functions;
using CircuitBreaker.Functions.Webservice.Downstream;
using CircuitBreaker.Local.Dynalite;
using CircuitBreaker.Tests.Support;

namespace CircuitBreaker.Tests.Handlers;

/// <summary>
/// The downstream's budget is measured from the deadline when the call starts, after admission: a stalled DynamoDB
/// (dynalite frozen with SIGSTOP) costs the call its time, never the answer's reserve or the Lambda's deadline.
/// </summary>
[Collection(WholeSystemTests.Name)]
public sealed class WebserviceStalledStoreTests : IAsyncLifetime
{
    // Lambda's timeout for a 4 s downstream timeout: ceil(4 + 2) s.
    private static readonly TimeSpan DownstreamTimeout = TimeSpan.FromSeconds(4);
    private static readonly TimeSpan LambdaTimeout = TimeSpan.FromSeconds(6);

    // What answering may add after the call ends (the publisher here records in memory): generous, yet less than the
    // second a stalled admission (two 500 ms attempts) used to add to the call.
    private static readonly TimeSpan AnswerSlack = TimeSpan.FromMilliseconds(600);

    private DynaliteServer _dynalite = null!;
    private IAmazonDynamoDB _client = null!;

    public async ValueTask InitializeAsync()
    {
        _dynalite = await DynaliteServer.StartAsync(DynaliteOptions.ForRepository(DynaliteFixture.RepositoryRoot), TestContext.Current.CancellationToken);

        // As a webservice instance's client: 500 ms per attempt, one retry.
        _client = AwsClientFactory.DynamoDb(_dynalite.Endpoint, DynaliteFixture.Region, InstanceClients.WebserviceStoreAttemptTimeout, DynaliteFixture.Credentials, maxErrorRetry: 1);
        using var admin = AwsClientFactory.DynamoDb(_dynalite.Endpoint, DynaliteFixture.Region, TimeSpan.FromSeconds(5), DynaliteFixture.Credentials, maxErrorRetry: 1);
        await new CircuitTableProvisioner().CreateAsync(admin, "circuits", TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _dynalite.DisposeAsync();
    }

    private (CircuitBreaker.Functions.Webservice.WebserviceHandler Handler, CountingHttpServer Downstream, HttpClient Http, CapturedLog Log) NewWebservice(CountingHttpServer downstream)
    {
        var settings = TestSettings.Circuit(downstream: downstream.Address.AbsoluteUri, timeoutSeconds: DownstreamTimeout.TotalSeconds, threshold: 1000);
        var log = new CapturedLog(TimeProvider.System, HandlerNames.Webservice);
        var http = FunctionInstance.NewDownstreamHttpClient();
        var store = new DynamoDbCircuitStore(_client, "circuits", TimeProvider.System);
        var handler = FunctionInstance.NewWebserviceHandler(
            store, new DownstreamClient(http, settings.Target.DownstreamUrl, TimeProvider.System), new RecordingFailurePublisher(), settings, TimeProvider.System, log.Log);
        return (handler, downstream, http, log);
    }

    private static Task<CountingHttpServer> HangingDownstreamAsync() =>
        CountingHttpServer.StartAsync(async context => await Task.Delay(Timeout.Infinite, context.RequestAborted));

    [Fact]
    public async Task WithAStalledStoreEveryHangingCallIsAnswered504ByTheDeadlineLessTheReserve()
    {
        Assert.SkipUnless(ProcessPause.Supported, "Pauses dynalite with SIGSTOP.");
        await using var downstream = await HangingDownstreamAsync();
        var (handler, _, http, log) = NewWebservice(downstream);
        using var ownedHttp = http;

        List<(int Status, TimeSpan Elapsed)> answers;
        using (ProcessPause.Stop(_dynalite.ProcessId))
        {
            answers = [.. await Task.WhenAll(Enumerable.Range(0, 10).Select(async request =>
            {
                var watch = Stopwatch.StartNew();
                var invocation = Invocations.Of(Invocations.HttpApiEvent(), TimeProvider.System, remaining: LambdaTimeout);
                var response = await handler.HandleAsync(invocation, TestContext.Current.CancellationToken);
                return (JsonDocument.Parse(response).RootElement.GetProperty("statusCode").GetInt32(), watch.Elapsed);
            }))];
        }

        var summary = string.Join(", ", answers.Select(a => $"{a.Status} after {a.Elapsed.TotalSeconds:0.00} s"));
        TestContext.Current.TestOutputHelper?.WriteLine(summary);
        Assert.All(answers, answer => Assert.True(answer.Status == 504, summary));
        Assert.All(answers, answer => Assert.True(answer.Elapsed <= LambdaTimeout - CircuitSettings.ResponseReserve + AnswerSlack, summary));
        Assert.NotEmpty(log.WithMessage("breaker store unavailable: failing open, calling the downstream"));
    }

    [Fact]
    public async Task WhenAStalledAdmissionLeavesTooLittleTimeTheDownstreamIsNotCalled()
    {
        Assert.SkipUnless(ProcessPause.Supported, "Pauses dynalite with SIGSTOP.");
        await using var downstream = await HangingDownstreamAsync();
        var (handler, _, http, _) = NewWebservice(downstream);
        using var ownedHttp = http;

        // 2.6 s left: 0.6 s for the call before admission; admission then takes at least 1 s (two 500 ms attempts).
        JsonElement response;
        using (ProcessPause.Stop(_dynalite.ProcessId))
        {
            var invocation = Invocations.Of(Invocations.HttpApiEvent(), TimeProvider.System, remaining: TimeSpan.FromSeconds(2.6));
            response = JsonDocument.Parse(await handler.HandleAsync(invocation, TestContext.Current.CancellationToken)).RootElement.Clone();
        }

        Assert.Equal(503, response.GetProperty("statusCode").GetInt32());
        Assert.Equal("urn:circuit-breaker:problem:no-time-left", RelayedWebservice.ProblemOf(response).GetProperty("type").GetString());
        Assert.Equal(0, downstream.Calls);
    }
}
