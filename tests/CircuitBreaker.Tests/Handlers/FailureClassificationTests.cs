using System.Globalization;
using System.Text.Json;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Breaker;
using CircuitBreaker.Core.Store;
using CircuitBreaker.Tests.Support;

namespace CircuitBreaker.Tests.Handlers;

/// <summary>
/// What counts as a failure, against a raw loopback downstream (issue 18, item 2): 5xx, 408 and 429 by default
/// (<c>failureStatusCodes</c>), each failure event naming its status and reason; another 4xx is the client's problem; a
/// 429 or 503 that opens the circuit or fails the probe keeps it open for the downstream's <c>Retry-After</c> (seconds or an
/// HTTP date), up to <c>maxRetryAfterSeconds</c>, and the clients' 503 says the same.
/// </summary>
public sealed class FailureClassificationTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A429IsAFailureNamedClientOverloadAndTheDownstreamsAnswerIsRelayed()
    {
        await using var downstream = RawHttpServer.Start(_ => RawHttpServer.Response(429, "text/plain", "slow down"u8.ToArray(), "Retry-After: 7"));
        using var webservice = new RelayedWebservice(downstream.Address);

        var response = await webservice.InvokeAsync(Invocations.HttpApiEvent());

        Assert.Equal(429, response.GetProperty("statusCode").GetInt32());
        Assert.Equal("slow down", response.GetProperty("body").GetString());
        Assert.Equal("7", response.GetProperty("headers").GetProperty("retry-after").GetString());
        var failure = Assert.Single(webservice.Publisher.Published);
        Assert.Equal((FailureReasons.ClientOverload, 429, 7000L), (failure.Reason, failure.StatusCode, failure.RetryAfterMilliseconds));
    }

    [Fact]
    public async Task A408IsAFailureNamedRequestTimeout()
    {
        await using var downstream = RawHttpServer.Start(_ => RawHttpServer.Response(408, "text/plain", "too slow to send"u8.ToArray()));
        using var webservice = new RelayedWebservice(downstream.Address);

        var response = await webservice.InvokeAsync(Invocations.HttpApiEvent());

        Assert.Equal(408, response.GetProperty("statusCode").GetInt32());
        var failure = Assert.Single(webservice.Publisher.Published);
        Assert.Equal((FailureReasons.RequestTimeout, 408, (long?)null), (failure.Reason, failure.StatusCode, failure.RetryAfterMilliseconds));
    }

    [Fact]
    public async Task A404IsTheClientsProblemUnlessTheRouteNamesItAmongItsFailureStatusCodes()
    {
        await using var downstream = RawHttpServer.Start(_ => RawHttpServer.Response(404, "text/plain", "no such order"u8.ToArray()));
        using var byDefault = new RelayedWebservice(downstream.Address);
        using var strict = new RelayedWebservice(downstream.Address, settings: new Dictionary<string, string> { ["failureStatusCodes"] = "500-599,404" });

        var relayed = await byDefault.InvokeAsync(Invocations.HttpApiEvent());
        var counted = await strict.InvokeAsync(Invocations.HttpApiEvent());

        Assert.Equal(404, relayed.GetProperty("statusCode").GetInt32());
        Assert.Empty(byDefault.Publisher.Published);
        Assert.Equal(1, Metrics(byDefault)["Relayed"]);
        Assert.Equal(404, counted.GetProperty("statusCode").GetInt32());
        var failure = Assert.Single(strict.Publisher.Published);
        Assert.Equal((FailureReasons.FailureStatus, 404), (failure.Reason, failure.StatusCode));
    }

    [Fact]
    public async Task AServerErrorTheRouteDoesNotNameIsAnsweredAsBeforeButNeverCounts()
    {
        await using var downstream = RawHttpServer.Start(_ => RawHttpServer.Response(501, "text/plain", []));
        using var webservice = new RelayedWebservice(downstream.Address, settings: new Dictionary<string, string> { ["failureStatusCodes"] = "500,502-599" });

        var response = await webservice.InvokeAsync(Invocations.HttpApiEvent());

        Assert.Equal(502, response.GetProperty("statusCode").GetInt32());
        Assert.Empty(webservice.Publisher.Published);
    }

    [Fact]
    public async Task A503WithRetryAfterInSecondsKeepsTheCircuitOpenThatLongAndTheClientIsToldSo()
    {
        await using var downstream = RawHttpServer.Start(_ => RawHttpServer.Response(503, "text/plain", [], "Retry-After: 120"));
        using var webservice = new RelayedWebservice(downstream.Address);

        var retryAfter = await OpenAndAskAsync(webservice);

        Assert.All(webservice.Publisher.Published, failure => Assert.Equal((FailureReasons.ServerError, 503, 120_000L), (failure.Reason, failure.StatusCode, failure.RetryAfterMilliseconds)));
        Assert.InRange(retryAfter, 119, 120);
        Assert.Equal(3, downstream.Received.Count);
    }

    [Fact]
    public async Task A503WithRetryAfterAsAnHttpDateKeepsTheCircuitOpenUntilThen()
    {
        var until = DateTimeOffset.UtcNow.AddSeconds(95);
        await using var downstream = RawHttpServer.Start(_ => RawHttpServer.Response(503, "text/plain", [], $"Retry-After: {until.ToString("R", CultureInfo.InvariantCulture)}"));
        using var webservice = new RelayedWebservice(downstream.Address);

        var retryAfter = await OpenAndAskAsync(webservice);

        // The date has whole seconds: the circuit stays open until then, give or take the second the test took.
        Assert.InRange(retryAfter, 92, 95);
        Assert.All(webservice.Publisher.Published, failure => Assert.InRange(failure.RetryAfterMilliseconds!.Value, 92_000, 95_000));
    }

    [Fact]
    public async Task ARetryAfterBeyondTheCapIsCutToMaxRetryAfterSeconds()
    {
        await using var downstream = RawHttpServer.Start(_ => RawHttpServer.Response(429, "text/plain", [], "Retry-After: 86400"));
        using var byDefault = new RelayedWebservice(downstream.Address);
        using var capped = new RelayedWebservice(downstream.Address, settings: new Dictionary<string, string> { ["maxRetryAfterSeconds"] = "90" });

        Assert.InRange(await OpenAndAskAsync(byDefault), 299, 300);
        Assert.InRange(await OpenAndAskAsync(capped), 89, 90);
    }

    [Fact]
    public async Task AShortRetryAfterNeverShortensTheOpenPeriod()
    {
        await using var downstream = RawHttpServer.Start(_ => RawHttpServer.Response(503, "text/plain", [], "Retry-After: 5"));
        using var webservice = new RelayedWebservice(downstream.Address);

        Assert.InRange(await OpenAndAskAsync(webservice), 59, 60);
    }

    [Fact]
    public async Task AFailedProbesRetryAfterReopensTheCircuitThatLong()
    {
        await using var downstream = RawHttpServer.Start(_ => RawHttpServer.Response(503, "text/plain", [], "Retry-After: 150"));
        using var webservice = new RelayedWebservice(downstream.Address);
        webservice.Store.Seed(CircuitRecord.InitiallyClosed(webservice.Settings.ServiceId) with
        {
            Status = CircuitStatus.Open, OpenUntil = DateTimeOffset.UtcNow, Version = 1,
        });

        var probe = await webservice.InvokeAsync(Invocations.HttpApiEvent());
        var refused = await webservice.InvokeAsync(Invocations.HttpApiEvent());

        Assert.Equal(502, probe.GetProperty("statusCode").GetInt32());
        Assert.Equal(503, refused.GetProperty("statusCode").GetInt32());
        Assert.InRange(RetryAfterOf(refused), 149, 150);
        var reopened = await webservice.Store.GetAsync(webservice.Settings.ServiceId, Token);
        Assert.Equal(CircuitStatus.Open, reopened.Status);
        Assert.InRange(reopened.OpenUntil!.Value - DateTimeOffset.UtcNow, TimeSpan.FromSeconds(145), TimeSpan.FromSeconds(150));
    }

    // Three failing requests, their events recorded by the recorder's own class (as the bus would hand them over), then
    // one more request: the 503's Retry-After, in seconds.
    private static async Task<int> OpenAndAskAsync(RelayedWebservice webservice)
    {
        for (var i = 0; i < 3; i++)
        {
            await webservice.InvokeAsync(Invocations.HttpApiEvent());
        }

        var recorder = new FailureRecorder(webservice.Store, webservice.Settings.Policy, TimeProvider.System, webservice.Log.Log);
        foreach (var failure in webservice.Publisher.Published)
        {
            await recorder.RecordAsync(Guid.NewGuid().ToString("N"), failure, Token);
        }

        var refused = await webservice.InvokeAsync(Invocations.HttpApiEvent());
        Assert.Equal(503, refused.GetProperty("statusCode").GetInt32());
        Assert.Equal("urn:circuit-breaker:problem:circuit-open", RelayedWebservice.ProblemOf(refused).GetProperty("type").GetString());
        Assert.Equal(RetryAfterOf(refused), RelayedWebservice.ProblemOf(refused).GetProperty("retryAfterSeconds").GetInt32());
        return RetryAfterOf(refused);
    }

    private static int RetryAfterOf(JsonElement response) =>
        int.Parse(response.GetProperty("headers").GetProperty("retry-after").GetString()!, CultureInfo.InvariantCulture);

    private static Dictionary<string, double> Metrics(RelayedWebservice webservice)
    {
        var line = webservice.Log.WithMessage("request handled")[^1];
        return line.EnumerateObject()
            .Where(member => member.Value.ValueKind == JsonValueKind.Number)
            .ToDictionary(member => member.Name, member => member.Value.GetDouble());
    }
}
