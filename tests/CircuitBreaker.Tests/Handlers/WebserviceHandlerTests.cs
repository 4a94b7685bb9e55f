using System.Text;
using System.Text.Json;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Breaker;
using CircuitBreaker.Core.Events;
using CircuitBreaker.Core.Store;
using CircuitBreaker.Functions.Runtime;
using CircuitBreaker.Functions.Webservice;
using CircuitBreaker.Functions.Webservice.Downstream;
using CircuitBreaker.Polly;
using CircuitBreaker.Tests.Support;
using Microsoft.AspNetCore.Http;

namespace CircuitBreaker.Tests.Handlers;

public sealed class WebserviceHandlerTests : IAsyncDisposable
{
    private readonly TimeProvider _time = TimeProvider.System;
    private readonly TestCircuitStore _store = new();
    private readonly RecordingFailurePublisher _publisher = new();
    private readonly CapturedLog _log = new(TimeProvider.System, "webservice");
    private readonly HttpClient _http = CircuitBreaker.Functions.FunctionInstance.NewDownstreamHttpClient();
    private CountingHttpServer? _downstream;

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (_downstream is not null)
        {
            await _downstream.DisposeAsync();
        }
    }

    private async Task<(WebserviceHandler Handler, CircuitSettings Settings)> NewHandlerAsync(RequestDelegate downstream, double timeoutSeconds = 10, IFailurePublisher? publisher = null)
    {
        _downstream = await CountingHttpServer.StartAsync(downstream);
        return NewHandler(new Uri(_downstream.Address, "/base"), timeoutSeconds, publisher);
    }

    private (WebserviceHandler Handler, CircuitSettings Settings) NewHandler(Uri downstreamUrl, double timeoutSeconds = 10, IFailurePublisher? publisher = null)
    {
        var settings = TestSettings.Circuit(downstream: downstreamUrl.AbsoluteUri, timeoutSeconds: timeoutSeconds);
        var client = new DownstreamClient(_http, settings.Target.DownstreamUrl, _time);
        return (CircuitBreaker.Functions.FunctionInstance.NewWebserviceHandler(_store, client, publisher ?? _publisher, settings, _time, _log.Log), settings);
    }

    /// <summary>A handler with slow-call detection and success counting, as the bootstrap composes it.</summary>
    private async Task<(WebserviceHandler Handler, SuccessCounter Successes)> NewWatchingHandlerAsync(RequestDelegate downstream, double timeoutSeconds, double slowCallSeconds)
    {
        _downstream = await CountingHttpServer.StartAsync(downstream);
        var settings = TestSettings.Circuit(downstream: _downstream.Address.AbsoluteUri, timeoutSeconds: timeoutSeconds, failureRatio: 0.5, slowCallSeconds: slowCallSeconds);
        var circuit = GateCircuit.Over(
            settings.ServiceId, settings.Policy, _store, _publisher, TransitionReporter.LogOnly(_log.Log, _time), TimeSpan.FromSeconds(12), _time, _log.Log);
        var handler = new WebserviceHandler(circuit, new DownstreamClient(_http, settings.Target.DownstreamUrl, _time), settings, _time, _log.Log);
        return (handler, circuit.Successes);
    }

    private async Task<JsonElement> InvokeAsync(WebserviceHandler handler, string httpApiEvent, TimeSpan? remaining = null)
    {
        var response = await handler.HandleAsync(Invocations.Of(httpApiEvent, _time, remaining), CancellationToken.None);
        return JsonDocument.Parse(response).RootElement.Clone();
    }

    private static JsonElement ProblemOf(JsonElement response)
    {
        Assert.Equal("application/problem+json", response.GetProperty("headers").GetProperty("content-type").GetString());
        return JsonDocument.Parse(response.GetProperty("body").GetString()!).RootElement.Clone();
    }

    [Fact]
    public async Task ASuccessfulAnswerIsRelayedWithItsStatusKeptHeadersCookiesAndBody()
    {
        var (handler, _) = await NewHandlerAsync(async context =>
        {
            context.Response.StatusCode = 201;
            context.Response.Headers.ETag = "\"v1\"";
            context.Response.Headers["x-internal"] = "secret";
            context.Response.Headers.Append("Set-Cookie", "a=1");
            context.Response.Headers.Append("Set-Cookie", "b=2");
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync($"{{\"path\":\"{context.Request.Path}{context.Request.QueryString}\",\"lang\":\"{context.Request.Headers.AcceptLanguage}\",\"cookie\":\"{context.Request.Headers.Cookie}\"}}");
        });

        var response = await InvokeAsync(handler, Invocations.HttpApiEvent(path: "/orders/7", query: "x=1",
            headers: new Dictionary<string, string> { ["accept-language"] = "fr", ["x-api-key"] = "k" }, cookies: ["s=abc"]));

        Assert.Equal(201, response.GetProperty("statusCode").GetInt32());
        var headers = response.GetProperty("headers");
        Assert.Equal("\"v1\"", headers.GetProperty("etag").GetString());
        Assert.Equal("secret", headers.GetProperty("x-internal").GetString());
        Assert.False(headers.TryGetProperty("date", out _));
        Assert.False(headers.TryGetProperty("content-length", out _));
        Assert.Equal(["a=1", "b=2"], response.GetProperty("cookies").EnumerateArray().Select(c => c.GetString()));
        Assert.False(response.GetProperty("isBase64Encoded").GetBoolean());
        var body = JsonDocument.Parse(response.GetProperty("body").GetString()!).RootElement;
        Assert.Equal("/base/orders/7?x=1", body.GetProperty("path").GetString());
        Assert.Equal("fr", body.GetProperty("lang").GetString());
        Assert.Equal("s=abc", body.GetProperty("cookie").GetString());
        Assert.Empty(_publisher.Published);
    }

    [Fact]
    public async Task ABinaryAnswerIsRelayedAsBase64AndARequestBodyReachesTheDownstream()
    {
        var (handler, _) = await NewHandlerAsync(async context =>
        {
            using var reader = new MemoryStream();
            await context.Request.Body.CopyToAsync(reader);
            context.Response.ContentType = "application/octet-stream";
            await context.Response.Body.WriteAsync(reader.ToArray().Reverse().ToArray());
        });

        var response = await InvokeAsync(handler, Invocations.HttpApiEvent(method: "POST", body: Convert.ToBase64String([1, 2, 255]), base64: true));

        Assert.True(response.GetProperty("isBase64Encoded").GetBoolean());
        Assert.Equal(new byte[] { 255, 2, 1 }, Convert.FromBase64String(response.GetProperty("body").GetString()!));
    }

    [Fact]
    public async Task AServerErrorIsA502ProblemAndOneFailureEvent()
    {
        var (handler, settings) = await NewHandlerAsync(context =>
        {
            context.Response.StatusCode = 503;
            return Task.CompletedTask;
        });

        var response = await InvokeAsync(handler, Invocations.HttpApiEvent());

        Assert.Equal(502, response.GetProperty("statusCode").GetInt32());
        var problem = ProblemOf(response);
        Assert.Equal("urn:circuit-breaker:problem:downstream-failed", problem.GetProperty("type").GetString());
        Assert.Equal(settings.ServiceId, problem.GetProperty("serviceId").GetString());
        var failure = Assert.Single(_publisher.Published);
        Assert.Equal(FailureReasons.ServerError, failure.Reason);
        Assert.Equal(503, failure.StatusCode);
        Assert.Equal(settings.ServiceId, failure.ServiceId);
    }

    [Fact]
    public async Task AHangingDownstreamIsA504AfterTheTimeoutAndOneFailureEvent()
    {
        var (handler, _) = await NewHandlerAsync(context => Task.Delay(Timeout.Infinite, context.RequestAborted), timeoutSeconds: 0.2);
        var started = System.Diagnostics.Stopwatch.StartNew();

        var response = await InvokeAsync(handler, Invocations.HttpApiEvent());

        Assert.Equal(504, response.GetProperty("statusCode").GetInt32());
        Assert.Equal("urn:circuit-breaker:problem:downstream-timeout", ProblemOf(response).GetProperty("type").GetString());
        Assert.Equal(FailureReasons.Timeout, Assert.Single(_publisher.Published).Reason);
        Assert.InRange(started.Elapsed, TimeSpan.FromMilliseconds(190), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task ASlowCallIsPublishedOnceWhenSlowAndNotAgainWhenItTimesOut()
    {
        var (handler, successes) = await NewWatchingHandlerAsync(context => Task.Delay(Timeout.Infinite, context.RequestAborted), timeoutSeconds: 3, slowCallSeconds: 0.1);

        var response = await InvokeAsync(handler, Invocations.HttpApiEvent());

        Assert.Equal(504, response.GetProperty("statusCode").GetInt32());
        var failure = Assert.Single(_publisher.Published);
        Assert.Equal(FailureReasons.Slow, failure.Reason);
        Assert.InRange(failure.ElapsedMilliseconds, 90, 2900);
        Assert.Equal(0, successes.Pending);
    }

    [Fact]
    public async Task ASlowCallThatThenSucceedsStillAnswersItsClientAndIsNotCountedAsASuccessToo()
    {
        var (handler, successes) = await NewWatchingHandlerAsync(
            async context =>
            {
                // Answers only once the call has been published as slow, however late a loaded machine fires the timer.
                while (_publisher.Published.Count == 0)
                {
                    await Task.Delay(10, context.RequestAborted);
                }

                context.Response.ContentType = "text/plain";
                await context.Response.WriteAsync("late but fine");
            },
            timeoutSeconds: 20,
            slowCallSeconds: 0.1);

        var response = await InvokeAsync(handler, Invocations.HttpApiEvent());

        Assert.Equal(200, response.GetProperty("statusCode").GetInt32());
        Assert.Equal("late but fine", response.GetProperty("body").GetString());
        Assert.Equal(FailureReasons.Slow, Assert.Single(_publisher.Published).Reason);
        Assert.Equal(0, successes.Pending);
    }

    [Fact]
    public async Task AQuickCallIsNeitherSlowNorAFailureAndCountsAsASuccess()
    {
        var (handler, successes) = await NewWatchingHandlerAsync(context => context.Response.WriteAsync("ok"), timeoutSeconds: 10, slowCallSeconds: 5);

        await InvokeAsync(handler, Invocations.HttpApiEvent());
        await InvokeAsync(handler, Invocations.HttpApiEvent());

        Assert.Empty(_publisher.Published);
        Assert.Equal(2, successes.Pending);
    }

    [Fact]
    public async Task AFailedCallIsPublishedAndNotCountedAsASuccess()
    {
        var (handler, successes) = await NewWatchingHandlerAsync(
            context =>
            {
                context.Response.StatusCode = 500;
                return Task.CompletedTask;
            },
            timeoutSeconds: 10,
            slowCallSeconds: 5);

        await InvokeAsync(handler, Invocations.HttpApiEvent());

        Assert.Equal(FailureReasons.ServerError, Assert.Single(_publisher.Published).Reason);
        Assert.Equal(0, successes.Pending);
    }

    [Fact]
    public async Task AnUnreachableDownstreamIsA502ConnectionError()
    {
        var (handler, _) = NewHandler(new Uri($"http://127.0.0.1:{FreePort()}/"));

        var response = await InvokeAsync(handler, Invocations.HttpApiEvent());

        Assert.Equal(502, response.GetProperty("statusCode").GetInt32());
        Assert.Equal(FailureReasons.ConnectionError, Assert.Single(_publisher.Published).Reason);
    }

    [Fact]
    public async Task AnOpenCircuitAnswers503WithRetryAfterAndNeverCallsTheDownstream()
    {
        var (handler, settings) = await NewHandlerAsync(context => Task.CompletedTask);
        _store.Seed(CircuitRecord.InitiallyClosed(settings.ServiceId) with { Status = CircuitStatus.Open, OpenUntil = _time.GetUtcNow().AddSeconds(42.2), Version = 1 });

        var response = await InvokeAsync(handler, Invocations.HttpApiEvent());

        Assert.Equal(503, response.GetProperty("statusCode").GetInt32());
        var retryAfter = int.Parse(response.GetProperty("headers").GetProperty("retry-after").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 42, 43);
        var problem = ProblemOf(response);
        Assert.Equal("urn:circuit-breaker:problem:circuit-open", problem.GetProperty("type").GetString());
        Assert.Equal("open", problem.GetProperty("circuitState").GetString());
        Assert.Equal(settings.ServiceId, problem.GetProperty("serviceId").GetString());
        Assert.Equal(503, problem.GetProperty("status").GetInt32());
        Assert.Equal(0, _downstream!.Calls);
    }

    [Fact]
    public async Task AnOversizedAnswerIsA502ButNotAFailureOfTheDownstream()
    {
        var (handler, _) = await NewHandlerAsync(context =>
        {
            context.Response.ContentType = "text/plain";
            return context.Response.Body.WriteAsync(new byte[DownstreamClient.MaxRelayedBodyBytes + 1]).AsTask();
        });

        var response = await InvokeAsync(handler, Invocations.HttpApiEvent());

        Assert.Equal(502, response.GetProperty("statusCode").GetInt32());
        Assert.Equal("urn:circuit-breaker:problem:downstream-response-too-large", ProblemOf(response).GetProperty("type").GetString());
        Assert.Empty(_publisher.Published);
    }

    [Fact]
    public async Task AFailureThatCannotBePublishedIsLoggedAndStillAnswered()
    {
        var (handler, _) = await NewHandlerAsync(context =>
        {
            context.Response.StatusCode = 500;
            return Task.CompletedTask;
        }, publisher: new RecordingFailurePublisher(succeeds: false));

        var response = await InvokeAsync(handler, Invocations.HttpApiEvent());

        Assert.Equal(502, response.GetProperty("statusCode").GetInt32());
        Assert.Single(_log.Lines, l => l.GetProperty("level").GetString() == "ERROR"
            && l.GetProperty("message").GetString()!.StartsWith("failure event not published", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WithTooLittleTimeLeftNoCallIsStarted()
    {
        var (handler, _) = await NewHandlerAsync(context => Task.CompletedTask);

        var response = await InvokeAsync(handler, Invocations.HttpApiEvent(), remaining: CircuitSettings.ResponseReserve);

        Assert.Equal(503, response.GetProperty("statusCode").GetInt32());
        Assert.Equal("urn:circuit-breaker:problem:no-time-left", ProblemOf(response).GetProperty("type").GetString());
        Assert.Equal(0, _downstream!.Calls);
    }

    [Fact]
    public async Task AProbeLeftWithTooLittleTimeAfterASlowAdmissionReleasesItsLeaseWithoutACall()
    {
        var (handler, settings) = await NewHandlerAsync(context => Task.CompletedTask);
        _store.Seed(CircuitRecord.InitiallyClosed(settings.ServiceId) with { Status = CircuitStatus.Open, OpenUntil = _time.GetUtcNow(), Version = 1 });
        _store.BeforeRead = () => Task.Delay(TimeSpan.FromMilliseconds(600));

        // 2.4 s left before admission; after its 0.6 s, less than the 2 s reserve.
        var response = await InvokeAsync(handler, Invocations.HttpApiEvent(), remaining: CircuitSettings.ResponseReserve + TimeSpan.FromMilliseconds(400));

        Assert.Equal("urn:circuit-breaker:problem:no-time-left", ProblemOf(response).GetProperty("type").GetString());
        Assert.Equal(0, _downstream!.Calls);
        var state = await _store.GetAsync(settings.ServiceId, CancellationToken.None);
        Assert.Equal(CircuitStatus.HalfOpen, state.Status);
        Assert.Null(state.ProbeOwner);
        Assert.True(state.ProbeLeaseUntil <= _time.GetUtcNow(), "the next request may probe at once");
    }

    [Fact]
    public async Task AProbeThatSucceedsClosesTheCircuit()
    {
        var (handler, settings) = await NewHandlerAsync(context => context.Response.WriteAsync("ok"));
        _store.Seed(CircuitRecord.InitiallyClosed(settings.ServiceId) with { Status = CircuitStatus.Open, OpenUntil = _time.GetUtcNow(), Version = 1 });

        var response = await InvokeAsync(handler, Invocations.HttpApiEvent());

        Assert.Equal(200, response.GetProperty("statusCode").GetInt32());
        Assert.Equal(CircuitStatus.Closed, (await _store.GetAsync(settings.ServiceId, CancellationToken.None)).Status);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"version\":\"1.0\",\"requestContext\":{\"http\":{\"method\":\"GET\"}}}")]
    [InlineData("{\"version\":\"2.0\",\"rawPath\":\"/\"}")]
    [InlineData("{\"version\":\"2.0\",\"rawPath\":\"/\",\"body\":\"***\",\"isBase64Encoded\":true,\"requestContext\":{\"http\":{\"method\":\"POST\"}}}")]
    public async Task AnEventThatIsNotAValidHttpApiRequestIsRejectedWithoutCallingAnything(string badEvent)
    {
        var (handler, _) = await NewHandlerAsync(context => Task.CompletedTask);

        await Assert.ThrowsAsync<InvalidEventException>(() => handler.HandleAsync(Invocations.Of(badEvent, _time), CancellationToken.None));

        Assert.Equal(0, _downstream!.Calls);
        Assert.Equal(0, _store.StateReads);
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
