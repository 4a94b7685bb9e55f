using System.Text.Json;
using System.Text.Json.Nodes;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Breaker;
using CircuitBreaker.Core.Store;
using CircuitBreaker.Functions;
using CircuitBreaker.Functions.Recorder;
using CircuitBreaker.Functions.Webservice;
using CircuitBreaker.Functions.Webservice.Downstream;
using CircuitBreaker.Tests.Logging;
using CircuitBreaker.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;

namespace CircuitBreaker.Tests.Handlers;

/// <summary>The metrics each function writes into its one summary line per invocation.</summary>
public sealed class HandlerMetricsTests : IAsyncDisposable
{
    private const string Namespace = "Team/Orders";

    private readonly TestCircuitStore _store = new();
    private readonly CapturedLog _log = new(TimeProvider.System, "webservice");
    private readonly HttpClient _http = new();
    private CountingHttpServer? _downstream;

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (_downstream is not null)
        {
            await _downstream.DisposeAsync();
        }
    }

    private async Task<(WebserviceHandler Handler, CircuitSettings Settings)> NewWebserviceAsync(RequestDelegate downstream, double timeoutSeconds = 10)
    {
        _downstream = await CountingHttpServer.StartAsync(downstream);
        var settings = TestSettings.Circuit(downstream: new Uri(_downstream.Address, "/base").AbsoluteUri, timeoutSeconds: timeoutSeconds);
        settings = settings with { Policy = settings.Policy with { MetricsNamespace = Namespace } };
        var client = new DownstreamClient(_http, settings.Target.DownstreamUrl, TimeProvider.System);
        return (FunctionInstance.NewWebserviceHandler(_store, client, new RecordingFailurePublisher(), settings, TimeProvider.System, _log.Log), settings);
    }

    private async Task<IReadOnlyDictionary<string, double>> RequestMetricsAsync(WebserviceHandler handler)
    {
        var before = _log.WithMessage("request handled").Count;
        await handler.HandleAsync(Invocations.Of(Invocations.HttpApiEvent(), TimeProvider.System), CancellationToken.None);
        var line = _log.WithMessage("request handled")[before];
        var timestamp = DateTimeOffset.Parse(line.GetProperty("timestamp").GetString()!, System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
        return EmbeddedMetricsShape.AssertValid(line, Namespace, timestamp);
    }

    private void Seed(CircuitSettings settings, CircuitStatus status, DateTimeOffset? openUntil = null) =>
        _store.Seed(CircuitRecord.InitiallyClosed(settings.ServiceId) with { Status = status, OpenUntil = openUntil, Version = 1 });

    [Fact]
    public async Task ARelayedRequestCountsAsRelayedWithItsLatency()
    {
        var (handler, _) = await NewWebserviceAsync(context => context.Response.WriteAsync("ok"));

        var metrics = await RequestMetricsAsync(handler);

        Assert.Equal(1, metrics[CircuitMetrics.Relayed]);
        Assert.True(metrics[CircuitMetrics.DownstreamLatency] >= 0);
        Assert.Equal([CircuitMetrics.DownstreamLatency, CircuitMetrics.Relayed], metrics.Keys.Order());
    }

    [Fact]
    public async Task ARejectedRequestCountsAsFailedFastWithoutLatency()
    {
        var (handler, settings) = await NewWebserviceAsync(context => context.Response.WriteAsync("never called"));
        Seed(settings, CircuitStatus.Open, DateTimeOffset.UtcNow.AddMinutes(1));

        var metrics = await RequestMetricsAsync(handler);

        Assert.Equal(new Dictionary<string, double> { [CircuitMetrics.FailedFast] = 1 }, metrics);
    }

    [Fact]
    public async Task AnIsolatedCircuitsRequestCountsAsFailedFast()
    {
        var (handler, settings) = await NewWebserviceAsync(context => context.Response.WriteAsync("never called"));
        Seed(settings, CircuitStatus.Isolated);

        var metrics = await RequestMetricsAsync(handler);

        Assert.Equal(new Dictionary<string, double> { [CircuitMetrics.FailedFast] = 1 }, metrics);
    }

    [Fact]
    public async Task ASuccessfulProbeCountsAsProbeRelayedAndCircuitClosed()
    {
        var (handler, settings) = await NewWebserviceAsync(context => context.Response.WriteAsync("back"));
        Seed(settings, CircuitStatus.Open, DateTimeOffset.UtcNow.AddSeconds(-1));

        var metrics = await RequestMetricsAsync(handler);

        Assert.Equal(1, metrics[CircuitMetrics.Probe]);
        Assert.Equal(1, metrics[CircuitMetrics.Relayed]);
        Assert.Equal(1, metrics[CircuitMetrics.CircuitClosed]);
        Assert.False(metrics.ContainsKey(CircuitMetrics.CircuitOpened));
    }

    [Fact]
    public async Task AFailedProbeCountsAsDownstreamErrorAndCircuitOpened()
    {
        var (handler, settings) = await NewWebserviceAsync(context =>
        {
            context.Response.StatusCode = 500;
            return Task.CompletedTask;
        });
        Seed(settings, CircuitStatus.Open, DateTimeOffset.UtcNow.AddSeconds(-1));

        var metrics = await RequestMetricsAsync(handler);

        Assert.Equal(1, metrics[CircuitMetrics.Probe]);
        Assert.Equal(1, metrics[CircuitMetrics.DownstreamError]);
        Assert.Equal(1, metrics[CircuitMetrics.CircuitOpened]);
    }

    [Fact]
    public async Task ATimedOutCallCountsAsDownstreamTimeout()
    {
        var (handler, _) = await NewWebserviceAsync(context => Task.Delay(Timeout.Infinite, context.RequestAborted), timeoutSeconds: 0.2);

        var metrics = await RequestMetricsAsync(handler);

        Assert.Equal(1, metrics[CircuitMetrics.DownstreamTimeout]);
        Assert.False(metrics.ContainsKey(CircuitMetrics.Relayed));
    }

    [Fact]
    public async Task TheRecorderCountsEachStoredFailureAndTheOpeningOnItsEventLine()
    {
        var time = TestClock.New();
        var settings = TestSettings.Circuit(threshold: 2);
        settings = settings with { Policy = settings.Policy with { MetricsNamespace = Namespace } };
        var log = new CapturedLog(time, "recorder");
        var handler = new RecorderHandler(new FailureRecorder(_store, settings.Policy, time, log.Log), log.Log, settings.Policy.MetricsNamespace);

        async Task<IReadOnlyDictionary<string, double>> Record(string eventId)
        {
            var envelope = new JsonObject
            {
                ["id"] = eventId,
                ["detail-type"] = FailureEvents.DetailType,
                ["source"] = FailureEvents.Source,
                ["detail"] = JsonSerializer.SerializeToNode(
                    new FailureEventDetail(settings.ServiceId, time.GetUtcNow().ToUnixTimeMilliseconds(), FailureReasons.Timeout, null, "req", 10),
                    ContractJsonContext.Default.FailureEventDetail),
            };
            await handler.HandleAsync(Invocations.Of(envelope.ToJsonString(), time, requestId: "inv-" + eventId), CancellationToken.None);
            return EmbeddedMetricsShape.AssertValid(log.Lines[^1], Namespace, time.GetUtcNow().ToUnixTimeMilliseconds());
        }

        var first = await Record("e1");
        var duplicate = await Record("e1");
        var second = await Record("e2");

        Assert.Equal(new Dictionary<string, double> { [CircuitMetrics.FailuresRecorded] = 1 }, first);
        Assert.Equal(new Dictionary<string, double> { [CircuitMetrics.FailuresRecorded] = 0 }, duplicate);
        Assert.Equal(new Dictionary<string, double> { [CircuitMetrics.FailuresRecorded] = 1, [CircuitMetrics.CircuitOpened] = 1 }, second);
    }
}
