using System.Text.Json;
using Amazon.DynamoDBv2;
using CircuitBreaker.Bench.Baseline;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Logging;
using CircuitBreaker.Functions.Webservice.Downstream;
using CircuitBreaker.Functions.Webservice.Http;
using CircuitBreaker.Tests.Support;

namespace CircuitBreaker.Tests.Bench.Baseline;

[Collection(DynaliteTests.Name)]
public sealed class OriginalWebserviceHandlerTests(DynaliteFixture dynalite) : OriginalTableTests(dynalite)
{
    [Fact]
    public async Task BelowTheThresholdItCallsTheDownstreamAndPublishesEachFailure()
    {
        await using var downstream = await CountingHttpServer.StartAsync(context =>
        {
            context.Response.StatusCode = 500;
            return Task.CompletedTask;
        });
        var (handler, publisher, _) = Create(downstream.Address);

        var first = await InvokeAsync(handler);
        var second = await InvokeAsync(handler);

        Assert.Equal(502, first.StatusCode);
        Assert.Equal(502, second.StatusCode);
        Assert.Equal(2, downstream.Calls);
        Assert.Equal(2, publisher.Published.Count);
    }

    [Fact]
    public async Task AtTheThresholdOfUnexpiredFailuresItFailsFastWithoutCallingTheDownstream()
    {
        await using var downstream = await CountingHttpServer.StartAsync(_ => Task.CompletedTask);
        var (handler, _, settings) = Create(downstream.Address);
        var time = TimeProvider.System;
        var recorder = new OriginalRecorderHandler(Client, Table, settings, time, new FunctionLog(TextWriter.Null, time, HandlerNames.Recorder));
        for (var i = 0; i < settings.Policy.FailureThreshold; i++)
        {
            var envelope = OriginalRecorderHandlerTests.FailureEnvelope("event-" + i, settings.ServiceId, time);
            await recorder.HandleAsync(Invocations.Of(envelope, time), TestContext.Current.CancellationToken);
        }

        var response = await InvokeAsync(handler);

        Assert.Equal(503, response.StatusCode);
        Assert.Equal(0, downstream.Calls);
    }

    private (OriginalWebserviceHandler Handler, RecordingFailurePublisher Publisher, CircuitSettings Settings) Create(Uri downstream)
    {
        var time = TimeProvider.System;
        var settings = TestSettings.Circuit(downstream.AbsoluteUri, timeoutSeconds: 5);
        var publisher = new RecordingFailurePublisher();
        var handler = new OriginalWebserviceHandler(
            Client,
            Table,
            new DownstreamClient(new HttpClient(), downstream, time),
            publisher,
            settings,
            time,
            new FunctionLog(TextWriter.Null, time, HandlerNames.Webservice));
        return (handler, publisher, settings);
    }

    private static async Task<HttpApiResponse> InvokeAsync(OriginalWebserviceHandler handler)
    {
        var bytes = await handler.HandleAsync(Invocations.Of(Invocations.HttpApiEvent(), TimeProvider.System), TestContext.Current.CancellationToken);
        return JsonSerializer.Deserialize(bytes.Span, HttpJsonContext.Default.HttpApiResponse)!;
    }
}
