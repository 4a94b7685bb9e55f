using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using Amazon.Runtime;
using CircuitBreaker.Aws.EventBridge;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Events;
using CircuitBreaker.Core.Logging;

namespace CircuitBreaker.Tests.Events;

public sealed class PutEventsClientTests : IDisposable
{
    private const string Region = "eu-west-1";
    private const string BusName = "circuit-breaker-test-bus";
    private static readonly FailureEventDetail Detail = new("downstream.example", 1_764_000_000_123, FailureReasons.ServerError, 503, "req-42", 812.5);

    private readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false });
    private readonly StringWriter _logOutput = new();

    public void Dispose()
    {
        _http.Dispose();
        _logOutput.Dispose();
    }

    [Fact]
    public async Task PutsOneEventWithTheJson11Protocol()
    {
        await using var bus = await LoopbackEventBridge.StartAsync();

        var published = await NewClient(bus.Endpoint).PublishAsync(Detail, TestContext.Current.CancellationToken);

        Assert.True(published);
        var request = Assert.Single(bus.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/", request.Path);
        Assert.Equal("AWSEvents.PutEvents", request.Header("X-Amz-Target"));
        Assert.Equal("application/x-amz-json-1.1", request.Header("Content-Type"));
        Assert.Equal(request.Body.Length.ToString(CultureInfo.InvariantCulture), request.Header("Content-Length"));

        using var body = JsonDocument.Parse(request.Body);
        var entry = Assert.Single(body.RootElement.GetProperty("Entries").EnumerateArray());
        Assert.Equal(FailureEvents.Source, entry.GetProperty("Source").GetString());
        Assert.Equal(FailureEvents.DetailType, entry.GetProperty("DetailType").GetString());
        Assert.Equal(BusName, entry.GetProperty("EventBusName").GetString());
        Assert.Equal(1_764_000_000.123, entry.GetProperty("Time").GetDouble(), 0.0005);
        Assert.False(entry.TryGetProperty("Resources", out _));
        Assert.Equal(JsonValueKind.String, entry.GetProperty("Detail").ValueKind);
        Assert.Equal(Detail, JsonSerializer.Deserialize(entry.GetProperty("Detail").GetString()!, ContractJsonContext.Default.FailureEventDetail));
        Assert.Empty(LogLines());
    }

    [Fact]
    public async Task SignsTheRequestForEventsInTheRegion()
    {
        await using var bus = await LoopbackEventBridge.StartAsync();

        Assert.True(await NewClient(bus.Endpoint).PublishAsync(Detail, TestContext.Current.CancellationToken));

        var request = Assert.Single(bus.Requests);
        var amzDate = request.Header("X-Amz-Date");
        Assert.Matches("^[0-9]{8}T[0-9]{6}Z$", amzDate);
        var authorization = AuthorizationParts.Parse(request.Header("Authorization"));
        Assert.Equal($"AKIDLOOPBACK/{amzDate[..8]}/{Region}/events/aws4_request", authorization.Credential);
        var signed = authorization.SignedHeaders.Split(';');
        Assert.Equal(signed.Order(StringComparer.Ordinal), signed);
        Assert.Superset(new HashSet<string> { "host", "x-amz-date", "x-amz-target", "content-type", "x-amz-content-sha256" }, signed.ToHashSet());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(request.Body)), request.Header("X-Amz-Content-SHA256"));
        Assert.False(request.Headers.ContainsKey("X-Amz-Security-Token"));
    }

    [Fact]
    public async Task SendsAndSignsTheSessionTokenOfTemporaryCredentials()
    {
        await using var bus = await LoopbackEventBridge.StartAsync();
        var credentials = new SessionAWSCredentials("ASIALOOPBACK", "secret", "session-token-value");

        Assert.True(await NewClient(bus.Endpoint, credentials: credentials).PublishAsync(Detail, TestContext.Current.CancellationToken));

        var request = Assert.Single(bus.Requests);
        Assert.Equal("session-token-value", request.Header("X-Amz-Security-Token"));
        Assert.Contains("x-amz-security-token", AuthorizationParts.Parse(request.Header("Authorization")).SignedHeaders.Split(';'));
        Assert.StartsWith("ASIALOOPBACK/", AuthorizationParts.Parse(request.Header("Authorization")).Credential, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RetriesAFailedEntryAndSucceeds()
    {
        await using var bus = await LoopbackEventBridge.StartAsync(EventBridgeAnswer.FailedEntry("InternalFailure", "try again"));

        var published = await NewClient(bus.Endpoint).PublishAsync(Detail, TestContext.Current.CancellationToken);

        Assert.True(published);
        Assert.Equal(2, bus.Requests.Count);
        Assert.Equal(bus.Requests[0].Body, bus.Requests[1].Body);
        Assert.Empty(LogLines());
    }

    [Fact]
    public async Task GivesUpAfterMaxAttemptsWhenTheEntryKeepsFailing()
    {
        var failing = Enumerable.Repeat(EventBridgeAnswer.FailedEntry("ThrottlingException", "Rate exceeded"), 10).ToArray();
        await using var bus = await LoopbackEventBridge.StartAsync(failing);

        var published = await NewClient(bus.Endpoint, maxAttempts: 3).PublishAsync(Detail, TestContext.Current.CancellationToken);

        Assert.False(published);
        Assert.Equal(3, bus.Requests.Count);
        var warning = Assert.Single(LogLines());
        Assert.Equal("WARN", warning.GetProperty("level").GetString());
        Assert.Equal("ThrottlingException", warning.GetProperty("errorCode").GetString());
        Assert.Equal("Rate exceeded", warning.GetProperty("errorMessage").GetString());
        Assert.Equal(3, warning.GetProperty("attempts").GetInt32());
        Assert.Equal(Detail.RequestId, warning.GetProperty("requestId").GetString());
        Assert.Equal(Detail.ServiceId, warning.GetProperty("serviceId").GetString());
    }

    [Fact]
    public async Task RetriesAServerErrorAndSucceeds()
    {
        await using var bus = await LoopbackEventBridge.StartAsync(EventBridgeAnswer.Error(500, "InternalException", "oops"));

        Assert.True(await NewClient(bus.Endpoint).PublishAsync(Detail, TestContext.Current.CancellationToken));

        Assert.Equal(2, bus.Requests.Count);
    }

    [Fact]
    public async Task RetriesThrottlingAndSucceeds()
    {
        await using var bus = await LoopbackEventBridge.StartAsync(
            EventBridgeAnswer.Error(400, "com.amazonaws.events#ThrottlingException", "Rate exceeded"));

        Assert.True(await NewClient(bus.Endpoint).PublishAsync(Detail, TestContext.Current.CancellationToken));

        Assert.Equal(2, bus.Requests.Count);
    }

    [Fact]
    public async Task GivesUpAtOnceOnAnErrorRetryingCannotCure()
    {
        await using var bus = await LoopbackEventBridge.StartAsync(
            EventBridgeAnswer.Error(400, "com.amazonaws.events#AccessDeniedException", "not authorized to put events"));

        var published = await NewClient(bus.Endpoint, maxAttempts: 3).PublishAsync(Detail, TestContext.Current.CancellationToken);

        Assert.False(published);
        Assert.Single(bus.Requests);
        var warning = Assert.Single(LogLines());
        Assert.Equal("AccessDeniedException", warning.GetProperty("errorCode").GetString());
        Assert.Equal("not authorized to put events", warning.GetProperty("errorMessage").GetString());
    }

    [Fact]
    public async Task GivesUpPromptlyWhenNothingListens()
    {
        var closed = ClosedLoopbackEndpoint();
        var clock = Stopwatch.StartNew();

        var published = await NewClient(closed, maxAttempts: 3).PublishAsync(Detail, TestContext.Current.CancellationToken);

        Assert.False(published);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        var warning = Assert.Single(LogLines());
        Assert.Equal("ConnectionError", warning.GetProperty("errorCode").GetString());
        Assert.Equal(3, warning.GetProperty("attempts").GetInt32());
    }

    [Fact]
    public async Task StopsWhenTheCallerStopsWaitingForAnAnswer()
    {
        await using var bus = await LoopbackEventBridge.StartAsync(new EventBridgeAnswer(200, "{}", Delay: TimeSpan.FromMinutes(5)));
        using var caller = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

        var publishing = NewClient(bus.Endpoint, maxAttempts: 3).PublishAsync(Detail, caller.Token);
        await bus.WaitForRequestsAsync(1, TestContext.Current.CancellationToken);
        var clock = Stopwatch.StartNew();
        await caller.CancelAsync();
        var published = await publishing;

        Assert.False(published);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed} after cancellation");
        Assert.Single(bus.Requests);
        Assert.Equal("Cancelled", Assert.Single(LogLines()).GetProperty("errorCode").GetString());
    }

    [Fact]
    public async Task DoesNotRetryBeyondTheCallersToken()
    {
        var failing = Enumerable.Repeat(EventBridgeAnswer.Error(503, "ServiceUnavailable", "down"), 50).ToArray();
        await using var bus = await LoopbackEventBridge.StartAsync(failing);
        using var caller = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        caller.CancelAfter(TimeSpan.FromMilliseconds(500));
        var clock = Stopwatch.StartNew();

        var published = await NewClient(bus.Endpoint, maxAttempts: 50, backoffBase: TimeSpan.FromSeconds(2), backoffCap: TimeSpan.FromSeconds(2))
            .PublishAsync(Detail, caller.Token);

        Assert.False(published);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.InRange(bus.Requests.Count, 1, 49);
        var warning = Assert.Single(LogLines());
        Assert.Equal("Cancelled", warning.GetProperty("errorCode").GetString());
        Assert.Contains("ServiceUnavailable: down", warning.GetProperty("errorMessage").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendsNothingWhenTheCallerHasAlreadyStopped()
    {
        await using var bus = await LoopbackEventBridge.StartAsync();

        var published = await NewClient(bus.Endpoint).PublishAsync(Detail, new CancellationToken(canceled: true));

        Assert.False(published);
        Assert.Empty(bus.Requests);
    }

    private PutEventsClient NewClient(
        Uri endpoint,
        AWSCredentials? credentials = null,
        int maxAttempts = 3,
        TimeSpan? backoffBase = null,
        TimeSpan? backoffCap = null)
    {
        var options = new PutEventsClientOptions
        {
            Endpoint = endpoint,
            Region = Region,
            EventBusName = BusName,
            MaxAttempts = maxAttempts,
            BackoffBase = backoffBase ?? TimeSpan.FromMilliseconds(10),
            BackoffCap = backoffCap ?? TimeSpan.FromMilliseconds(50),
        };
        var resolver = new FixedCredentialsResolver(credentials ?? new BasicAWSCredentials("AKIDLOOPBACK", "loopback-secret"));
        return new PutEventsClient(_http, options, resolver, TimeProvider.System, new FunctionLog(_logOutput, TimeProvider.System, HandlerNames.Webservice));
    }

    private List<JsonElement> LogLines() =>
        _logOutput.ToString()
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => JsonDocument.Parse(line).RootElement.Clone())
            .ToList();

    // A port that was just free and has no listener: connecting is refused at once.
    private static Uri ClosedLoopbackEndpoint()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}/");
    }
}
