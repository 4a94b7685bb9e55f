using CircuitBreaker.Aws.DynamoDb;
using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Amazon.DynamoDBv2;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Events;
using CircuitBreaker.Core.Store;
using CircuitBreaker.Functions;
using CircuitBreaker.Functions.Replayer;
using CircuitBreaker.Tests.Support;
using Microsoft.AspNetCore.Http;

namespace CircuitBreaker.Tests.Replay;

/// <summary>The replayer over dynalite and a loopback downstream: order, rate bound, reopen, dead letters, claims.</summary>
[Collection(DynaliteTests.Name)]
public sealed class ReplayerTests(DynaliteFixture dynalite) : IAsyncLifetime
{
    private readonly IAmazonDynamoDB _client = dynalite.CreateClient();
    private readonly ConcurrentQueue<(string Key, string Path, DateTimeOffset At)> _received = new();
    private readonly RecordingFailurePublisher _failures = new();
    private readonly RecordingDeadLetters _deadLetters = new();
    private readonly ConcurrentQueue<DeferredReplayDetail> _resumed = new();
    private readonly CapturedLog _log = new(TimeProvider.System, "replayer");
    private readonly HttpClient _http = FunctionInstance.NewDownstreamHttpClient();
    private DynamoDbCircuitStore _circuits = null!;
    private DeferredRequestStore _deferred = null!;
    private CountingHttpServer _downstream = null!;
    private Func<HttpContext, Task> _answer = context => Task.CompletedTask;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        var table = await dynalite.CreateTableAsync(_client, Token);
        _circuits = new DynamoDbCircuitStore(_client, table);
        _deferred = new DeferredRequestStore(_client, table);
        _downstream = await CountingHttpServer.StartAsync(async context =>
        {
            _received.Enqueue((context.Request.Headers[DeferredReplays.IdempotencyKeyHeader].ToString(), context.Request.Path + context.Request.QueryString, DateTimeOffset.UtcNow));
            await _answer(context);
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _downstream.DisposeAsync();
        _http.Dispose();
        _client.Dispose();
    }

    private CircuitSettings Settings(double perSecond = 1000, int maxAttempts = 5, int threshold = 100)
    {
        var circuit = TestSettings.Circuit(_downstream.Address.AbsoluteUri, timeoutSeconds: 5, threshold: threshold);
        return circuit with
        {
            Target = circuit.Target with
            {
                WhenOpen = WhenOpenMode.Defer,
                Defer = DeferOptions.Default with { ReplayPerSecond = perSecond, MaxAttempts = maxAttempts },
            },
        };
    }

    private ReplayerHandler Replayer(CircuitSettings settings, TimeProvider? time = null) => FunctionInstance.NewReplayerHandler(
        RouteTable.OneRoute(settings),
        route => FunctionInstance.NewDownstreamClient(_http, route.Circuit, time ?? TimeProvider.System),
        _circuits,
        _deferred,
        _failures,
        _deadLetters,
        (detail, _) =>
        {
            _resumed.Enqueue(detail);
            return Task.FromResult(true);
        },
        time ?? TimeProvider.System,
        _log.Log);

    private async Task<IReadOnlyList<DeferredRequest>> DeferAsync(CircuitSettings settings, int count)
    {
        var start = DateTimeOffset.UtcNow.AddMinutes(-1);
        var stored = new List<DeferredRequest>();
        for (var i = 0; i < count; i++)
        {
            var request = new DeferredRequest(
                settings.ServiceId, $"id-{i:D3}", start.AddMilliseconds(i), "POST", $"/orders/{i}", [new("content-type", "text/plain")], Encoding.UTF8.GetBytes($"order {i}"), start.AddDays(1));
            await _deferred.StoreAsync(request, Token);
            stored.Add(request);
        }

        return stored;
    }

    private static async Task<JsonElement> RunAsync(ReplayerHandler replayer, string serviceId, string detailType = StateChangeEvents.DetailType, string to = "closed", TimeSpan? remaining = null)
    {
        var envelope = $$$"""{"source":"circuit-breaker","detail-type":"{{{detailType}}}","detail":{"serviceId":"{{{serviceId}}}","from":"half-open","to":"{{{to}}}"} }""";
        var result = await replayer.HandleAsync(Invocations.Of(envelope, TimeProvider.System, remaining ?? TimeSpan.FromMinutes(5)), Token);
        return JsonDocument.Parse(result).RootElement.Clone();
    }

    [Fact]
    public async Task DeferredRequestsAreReplayedInArrivalOrderEachOnceWithItsIdAsIdempotencyKeyAndThenDeleted()
    {
        var settings = Settings();
        var stored = await DeferAsync(settings, 30);

        var result = await RunAsync(Replayer(settings), settings.ServiceId);

        Assert.Equal(30, result.GetProperty("replayed").GetInt32());
        Assert.Equal("done", result.GetProperty("stopped").GetString());
        Assert.Equal(stored.Select(request => request.Id), _received.Select(call => call.Key));
        Assert.Equal(stored.Select(request => request.PathAndQuery), _received.Select(call => call.Path));
        Assert.Empty(await _deferred.ListAllAsync(settings.ServiceId, Token));
    }

    [Fact]
    public async Task AStoredPathThatWouldLeaveTheDownstreamIsDeadLetteredAtOnceNeverSentAndTheNextIsReplayed()
    {
        var settings = Settings();
        var at = DateTimeOffset.UtcNow.AddMinutes(-1);
        using var elsewhere = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        elsewhere.Start();
        var tampered = new DeferredRequest(
            settings.ServiceId, "id-0", at, "POST", $"@127.0.0.1:{((System.Net.IPEndPoint)elsewhere.LocalEndpoint).Port}/steal", [], null, at.AddDays(1));
        await _deferred.StoreAsync(tampered, Token);
        await _deferred.StoreAsync(new DeferredRequest(settings.ServiceId, "id-1", at.AddMilliseconds(1), "POST", "/fine", [], null, at.AddDays(1)), Token);

        var result = await RunAsync(Replayer(settings), settings.ServiceId);

        var deadLetter = Assert.Single(_deadLetters.Sent);
        Assert.Equal(("id-0", 0), (deadLetter.Request.Id, deadLetter.Attempts));
        Assert.Contains("downstream origin", deadLetter.Error, StringComparison.Ordinal);
        Assert.False(elsewhere.Pending());
        Assert.Equal("/fine", Assert.Single(_received).Path);
        Assert.Equal(1, result.GetProperty("replayed").GetInt32());
    }

    [Theory]
    [InlineData("/orders/1?x=1", "http://down.test:8080/orders/1?x=1")]
    [InlineData("/a/%2F/b", "http://down.test:8080/a/%2F/b")]
    [InlineData("@evil.test/x", null)]
    [InlineData("evil.test/x", null)]
    [InlineData(":9/x", null)]
    [InlineData("", null)]
    public void AStoredPathGoesOnlyToTheRoutesDownstreamOrigin(string pathAndQuery, string? expected) =>
        Assert.Equal(expected, DeferredReplay.TargetOf(new Uri("http://down.test:8080/base/"), pathAndQuery)?.OriginalString);

    [Fact]
    public async Task TheClientsOwnIdempotencyKeyIsKept()
    {
        var settings = Settings();
        var at = DateTimeOffset.UtcNow;
        await _deferred.StoreAsync(
            new DeferredRequest(settings.ServiceId, "id-1", at, "PUT", "/x", [new("Idempotency-Key", "client-key")], null, at.AddDays(1)), Token);

        await RunAsync(Replayer(settings), settings.ServiceId);

        Assert.Equal("client-key", Assert.Single(_received).Key);
    }

    [Fact]
    public async Task TheReplayKeepsToItsRateBound()
    {
        var settings = Settings(perSecond: 20);
        await DeferAsync(settings, 6);

        await RunAsync(Replayer(settings), settings.ServiceId);

        // A lower bound only: a slow machine spaces them further, never closer. Sends are 50 ms apart; the first one's
        // arrival may lag its send by the connection's set-up, so the bound is one pace short of five.
        var times = _received.Select(call => call.At).ToList();
        Assert.Equal(6, times.Count);
        Assert.True(times[^1] - times[0] >= TimeSpan.FromMilliseconds(200), $"6 requests within {(times[^1] - times[0]).TotalMilliseconds} ms");
    }

    [Fact]
    public async Task AReopenedCircuitStopsTheReplayLeavingTheRestUnclaimedForTheNextClose()
    {
        // Without the closed-state trust, the next admission reads the isolation; with it (closedStateMaxAgeSeconds), up
        // to that long later, as for any request.
        var trusting = Settings();
        var settings = trusting with { Policy = trusting.Policy with { ClosedStateMaxAge = TimeSpan.Zero } };
        var stored = await DeferAsync(settings, 10);
        _answer = async context =>
        {
            if (_received.Count == 3)
            {
                await _circuits.IsolateAsync(settings.ServiceId, CancellationToken.None);
            }
        };

        var result = await RunAsync(Replayer(settings), settings.ServiceId);

        Assert.Equal("circuit-isolated", result.GetProperty("stopped").GetString());
        Assert.Equal(3, result.GetProperty("replayed").GetInt32());
        var left = await _deferred.ListAllAsync(settings.ServiceId, Token);
        Assert.Equal(stored.Skip(3).Select(request => request.Id), left.Select(request => request.Id));
        Assert.All(left, request => Assert.Null(request.ClaimedUntil));

        await _circuits.ForceCloseAsync(settings.ServiceId, DateTimeOffset.UtcNow, Token);
        var resumed = await RunAsync(Replayer(settings), settings.ServiceId);

        Assert.Equal(7, resumed.GetProperty("replayed").GetInt32());
        Assert.Equal(stored.Select(request => request.Id), _received.Select(call => call.Key));
    }

    [Fact]
    public async Task ARequestThatKeepsFailingIsDeadLetteredAfterMaxAttemptsEachFailureCountedByTheBreakerAndTheNextIsReplayed()
    {
        var settings = Settings(maxAttempts: 3);
        var stored = await DeferAsync(settings, 2);
        _answer = context =>
        {
            context.Response.StatusCode = context.Request.Path == "/orders/0" ? 500 : 201;
            return Task.CompletedTask;
        };

        var result = await RunAsync(Replayer(settings), settings.ServiceId);

        Assert.Equal((1, 3, 1), (result.GetProperty("replayed").GetInt32(), result.GetProperty("failed").GetInt32(), result.GetProperty("deadLettered").GetInt32()));
        Assert.Equal(["id-000", "id-000", "id-000", "id-001"], _received.Select(call => call.Key));
        var dead = Assert.Single(_deadLetters.Sent);
        Assert.Equal((stored[0].Id, 3, "status 500"), (dead.Request.Id, dead.Attempts, dead.Error));
        Assert.Equal(3, _failures.Published.Count);
        Assert.Empty(await _deferred.ListAllAsync(settings.ServiceId, Token));
    }

    [Fact]
    public async Task TwoReplayersAtOnceNeverSendTheSameRequestTwice()
    {
        var settings = Settings();
        var stored = await DeferAsync(settings, 20);
        _answer = _ => Task.Delay(20);

        await Task.WhenAll(RunAsync(Replayer(settings), settings.ServiceId), RunAsync(Replayer(settings), settings.ServiceId));

        var sent = _received.Select(call => call.Key).ToList();
        Assert.Equal(sent.Distinct().Count(), sent.Count);

        // Whatever the race left (the loser stops at the first request the winner holds) the next close sends.
        await RunAsync(Replayer(settings), settings.ServiceId);
        Assert.Equal(stored.Select(request => request.Id).Order(), _received.Select(call => call.Key).Order());
    }

    [Fact]
    public async Task AReplayShortOfTimeStopsBeforeItsDeadlineAndAsksForTheRest()
    {
        var settings = Settings();
        await DeferAsync(settings, 3);

        var result = await RunAsync(Replayer(settings), settings.ServiceId, remaining: TimeSpan.FromSeconds(5));

        Assert.Equal("time-budget", result.GetProperty("stopped").GetString());
        Assert.Empty(_received);
        var resume = Assert.Single(_resumed);
        Assert.Equal((settings.ServiceId, "closed"), (resume.ServiceId, resume.To));
        Assert.Equal(3, (await _deferred.ListAllAsync(settings.ServiceId, Token)).Count);
    }

    [Fact]
    public async Task AnEventThatIsNotACloseReplaysNothing()
    {
        var settings = Settings();
        await DeferAsync(settings, 1);

        var result = await RunAsync(Replayer(settings), settings.ServiceId, to: "open");

        Assert.Equal("ignored", result.GetProperty("stopped").GetString());
        Assert.Empty(_received);
    }

    [Fact]
    public async Task AReplayRequestReplaysAsACloseDoes()
    {
        var settings = Settings();
        await DeferAsync(settings, 2);

        var result = await RunAsync(Replayer(settings), settings.ServiceId, detailType: DeferredReplays.DetailType);

        Assert.Equal(2, result.GetProperty("replayed").GetInt32());
    }

    private sealed class RecordingDeadLetters : IDeadLetterQueue
    {
        private readonly ConcurrentQueue<(DeferredRequest Request, int Attempts, string Error)> _sent = new();

        public IReadOnlyCollection<(DeferredRequest Request, int Attempts, string Error)> Sent => _sent;

        public Task<bool> SendAsync(DeferredRequest request, int attempts, string error, CancellationToken cancellationToken)
        {
            _sent.Enqueue((request, attempts, error));
            return Task.FromResult(true);
        }
    }
}
