using System.Diagnostics;
using Amazon.Runtime;
using CircuitBreaker.Aws.EventBridge;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Events;
using CircuitBreaker.Core.Logging;
using CircuitBreaker.Tests.Events;
using CircuitBreaker.Tests.Support;

namespace CircuitBreaker.Tests.Handlers;

/// <summary>A failed request is answered within the publish budget, however slowly EventBridge answers PutEvents.</summary>
public sealed class WebservicePublishBudgetTests : IDisposable
{
    private readonly HttpClient _eventsHttp = new(new SocketsHttpHandler { AllowAutoRedirect = false });
    private readonly LogCapture _publisherLog = new();

    public void Dispose()
    {
        _eventsHttp.Dispose();
        _publisherLog.Dispose();
    }

    [Fact]
    public async Task WithASlowEventBridgeA502ArrivesAfterThePublishBudgetAndTheLostEventIsLoggedAndCounted()
    {
        var slow = new EventBridgeAnswer(200, EventBridgeAnswer.Accepted.Body, Delay: TimeSpan.FromSeconds(30));
        await using var events = await LoopbackEventBridge.StartAsync(slow, slow, slow, slow, slow);
        await using var downstream = RawHttpServer.Start(_ => RawHttpServer.Response(500, "text/plain", []));
        using var webservice = new RelayedWebservice(downstream.Address, NewPublisher(events.Endpoint));

        // 12 s left: before the budget, the answer waited for the publish until 250 ms before the deadline (~11.75 s).
        var started = Stopwatch.StartNew();
        var first = await webservice.InvokeAsync(Invocations.HttpApiEvent(), remaining: TimeSpan.FromSeconds(12));
        var firstElapsed = started.Elapsed;
        var second = await webservice.InvokeAsync(Invocations.HttpApiEvent(), remaining: TimeSpan.FromSeconds(12));

        Assert.Equal(502, first.GetProperty("statusCode").GetInt32());
        Assert.Equal(502, second.GetProperty("statusCode").GetInt32());
        Assert.InRange(firstElapsed, PublishBudget.Longest * 0.8, TimeSpan.FromSeconds(6));
        Assert.NotEmpty(events.Requests);
        var lost = webservice.Log.Lines.Where(l => l.GetProperty("message").GetString()!.StartsWith("failure event not published", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, lost.Count);
        Assert.Equal([1, 2], lost.Select(l => l.GetProperty("lostFailureEvents").GetInt64()));
        Assert.All(lost, l => Assert.Equal("publish budget ran out", l.GetProperty("cause").GetString()));
        Assert.All(lost, l => Assert.Equal(PublishBudget.Longest.TotalMilliseconds, l.GetProperty("publishBudgetMs").GetDouble()));
    }

    private PutEventsClient NewPublisher(Uri endpoint) => new(
        _eventsHttp,
        new PutEventsClientOptions { Endpoint = endpoint, Region = "eu-west-1", EventBusName = "circuit-breaker-failures" },
        new FixedCredentialsResolver(new BasicAWSCredentials("AKIDLOOPBACK", "loopback-secret")),
        TimeProvider.System,
        new FunctionLog(_publisherLog, TimeProvider.System, HandlerNames.Webservice));
}
