using System.Collections.Concurrent;
using System.Text.Json;
using Amazon.Runtime;
using CircuitBreaker.Aws.EventBridge;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Breaker;
using CircuitBreaker.Core.Events;
using CircuitBreaker.Core.Logging;
using CircuitBreaker.Core.Store;
using CircuitBreaker.Local.EventBridge;
using CircuitBreaker.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace CircuitBreaker.Tests.Events;

/// <summary>Every transition is reported once: its log line, and its event on the bus within the budget.</summary>
public sealed class StateChangePublishingTests : IDisposable
{
    private const string Bus = "circuit-breaker-failures";

    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };
    private readonly FakeTimeProvider _time = TestClock.New();
    private readonly TestCircuitStore _store = new();
    private readonly CircuitSettings _settings = TestSettings.Circuit(threshold: 2);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public void Dispose() => _http.Dispose();

    private PutEventsClient NewClient(Uri endpoint, TimeProvider time, FunctionLog log) => new(
        _http,
        new PutEventsClientOptions { Endpoint = endpoint, Region = "us-east-1", EventBusName = Bus, MaxAttempts = 3 },
        new FixedCredentialsResolver(new BasicAWSCredentials("AKIDLOOPBACK", "loopback-secret")),
        time,
        log);

    private static CircuitStateChangeDetail DetailOf(RecordedRequest request)
    {
        using var body = JsonDocument.Parse(request.Body);
        var entry = Assert.Single(body.RootElement.GetProperty("Entries").EnumerateArray());
        Assert.Equal(StateChangeEvents.Source, entry.GetProperty("Source").GetString());
        Assert.Equal(StateChangeEvents.DetailType, entry.GetProperty("DetailType").GetString());
        Assert.Equal(Bus, entry.GetProperty("EventBusName").GetString());
        return JsonSerializer.Deserialize(entry.GetProperty("Detail").GetString()!, ContractJsonContext.Default.CircuitStateChangeDetail)!;
    }

    [Fact]
    public async Task ATransitionIsLoggedAndPublishedWithItsDetail()
    {
        await using var bridge = await LoopbackEventBridge.StartAsync();
        var log = new CapturedLog(_time, "recorder");
        var reporter = new TransitionReporter(log.Log, NewClient(bridge.Endpoint, _time, log.Log), _time);
        var openUntil = _time.GetUtcNow().AddMinutes(1);

        var published = await reporter.ReportAsync(new LogScope("req-7", "orders", "closed"), CircuitView.Closed, CircuitView.Open, "2 failures", openUntil, Token);

        Assert.True(published);
        var detail = DetailOf(Assert.Single(bridge.Requests));
        Assert.Equal(new CircuitStateChangeDetail("orders", CircuitStateNames.Closed, CircuitStateNames.Open, "2 failures", _time.GetUtcNow(), openUntil, "req-7"), detail);
        var line = Assert.Single(log.WithMessage(TransitionLog.Message));
        Assert.Equal("open", line.GetProperty("to").GetString());
    }

    [Fact]
    public async Task ASlowBusHoldsTheTransitionForNoMoreThanTheBudgetAndTheLossIsLogged()
    {
        await using var bridge = await LoopbackEventBridge.StartAsync(new EventBridgeAnswer(200, "{}", Delay: TimeSpan.FromMinutes(5)));
        var log = new CapturedLog(_time, "webservice");
        var reporter = new TransitionReporter(log.Log, NewClient(bridge.Endpoint, _time, log.Log), _time);

        var report = reporter.ReportAsync(new LogScope("req-1", "orders"), CircuitView.HalfOpen, CircuitView.Closed, "probe succeeded", null, Token);
        await bridge.WaitForRequestsAsync(1, Token);
        Assert.False(report.IsCompleted);

        // The budget runs on the injected clock: only when it has passed does the report give up.
        _time.Advance(PublishBudget.Longest - TimeSpan.FromMilliseconds(1));
        Assert.False(report.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        var published = await report.WaitAsync(TimeSpan.FromSeconds(30), Token);

        Assert.False(published);
        var lost = Assert.Single(log.WithMessage("State change event not published"));
        Assert.Equal("Cancelled", lost.GetProperty("errorCode").GetString());
        Assert.Equal(StateChangeEvents.DetailType, lost.GetProperty("detailType").GetString());
        Assert.Single(log.WithMessage(TransitionLog.Message));
    }

    [Fact]
    public async Task ABusThatRefusesLosesTheEventButNotTheTransition()
    {
        await using var bridge = await LoopbackEventBridge.StartAsync(
            EventBridgeAnswer.Error(400, "AccessDeniedException", "not authorized to perform events:PutEvents"));
        var log = new CapturedLog(TimeProvider.System, "recorder");
        var reporter = new TransitionReporter(log.Log, NewClient(bridge.Endpoint, TimeProvider.System, log.Log), TimeProvider.System);

        var published = await reporter.ReportAsync(new LogScope("req-1", "orders"), CircuitView.Closed, CircuitView.Open, "x", null, Token);

        Assert.False(published);
        Assert.Equal("AccessDeniedException", Assert.Single(log.WithMessage("State change event not published")).GetProperty("errorCode").GetString());
        Assert.Single(log.WithMessage(TransitionLog.Message));
    }

    [Fact]
    public async Task TheGateReportsEachProbeTransition()
    {
        var publisher = new RecordingStateChangePublisher();
        var log = new CapturedLog(_time, "webservice");
        var gate = new CircuitGate(_settings.ServiceId, _settings.Policy, _store, new OpenCircuitMemory(_time), TimeSpan.FromSeconds(12), _time, log.Log, new TransitionReporter(log.Log, publisher, _time));
        _store.Seed(CircuitRecord.InitiallyClosed(_settings.ServiceId) with { Status = CircuitStatus.Open, OpenUntil = _time.GetUtcNow(), Version = 1 });

        Assert.Equal(AdmissionKind.Probe, (await gate.AdmitAsync("probe-1", Token)).Kind);
        Assert.Equal(CircuitView.Open, (await gate.SettleAsync("probe-1", succeeded: false, retryAfter: null, Token))?.To);
        _time.Advance(_settings.Policy.OpenDuration);
        Assert.Equal(AdmissionKind.Probe, (await gate.AdmitAsync("probe-2", Token)).Kind);
        Assert.Equal(CircuitView.Closed, (await gate.SettleAsync("probe-2", succeeded: true, retryAfter: null, Token))?.To);

        Assert.Equal(
            [("open", "half-open", "probe-1"), ("half-open", "open", "probe-1"), ("open", "half-open", "probe-2"), ("half-open", "closed", "probe-2")],
            publisher.Published.Select(d => (d.From, d.To, d.RequestId!)));
        Assert.NotNull(publisher.Published[1].OpenUntil);
        Assert.Null(publisher.Published[3].OpenUntil);
        Assert.Equal(4, log.WithMessage(TransitionLog.Message).Count);
    }

    [Fact]
    public async Task TheRecorderReportsTheOpening()
    {
        var publisher = new RecordingStateChangePublisher();
        var log = new CapturedLog(_time, "recorder");
        var recorder = new FailureRecorder(_store, _settings.Policy, _time, log.Log, new TransitionReporter(log.Log, publisher, _time));
        var failure = new FailureEventDetail(_settings.ServiceId, _time.GetUtcNow().ToUnixTimeMilliseconds(), FailureReasons.Timeout, null, "req-9", 10);

        await recorder.RecordAsync("e1", failure, Token);
        Assert.Empty(publisher.Published);
        await recorder.RecordAsync("e2", failure, Token);

        var opened = Assert.Single(publisher.Published);
        Assert.Equal((CircuitStateNames.Closed, CircuitStateNames.Open, "req-9"), (opened.From, opened.To, opened.RequestId));
        Assert.Equal(_time.GetUtcNow() + _settings.Policy.OpenDuration, opened.OpenUntil);
    }

    [Fact]
    public async Task OnTheLocalBusTheFailureRuleIgnoresStateChangesAndAUsersRuleGetsThem()
    {
        var toRecorder = new ConcurrentQueue<byte[]>();
        var toUser = new ConcurrentQueue<byte[]>();
        var rules = new[]
        {
            new EventRule("failures-to-recorder", EventPatternMatcher.Parse(FailureEvents.EventPattern), (e, _) => { toRecorder.Enqueue(e); return Task.FromResult(true); }),
            new EventRule("users-pager", EventPatternMatcher.Parse(StateChangeEvents.EventPattern), (e, _) => { toUser.Enqueue(e); return Task.FromResult(true); }),
        };
        await using var bridge = new LocalEventBridge(new LocalEventBridgeOptions(Bus), rules, TimeProvider.System, TextWriter.Null);
        await bridge.StartAsync(0, Token);
        var log = new CapturedLog(TimeProvider.System);
        var client = NewClient(bridge.BaseAddress, TimeProvider.System, log.Log);

        Assert.True(await client.PublishAsync(
            new CircuitStateChangeDetail("orders", "closed", "open", "3 failures", DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddMinutes(1), "r1"), Token));
        Assert.True(await client.PublishAsync(new FailureEventDetail("orders", 1_764_000_000_000, FailureReasons.Timeout, null, "r2", 10), Token));

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Token);
        deadline.CancelAfter(TimeSpan.FromSeconds(30));
        while (bridge.Delivery.Delivered < 2)
        {
            await Task.Delay(10, deadline.Token);
        }

        using var userEvent = JsonDocument.Parse(Assert.Single(toUser));
        Assert.Equal(StateChangeEvents.DetailType, userEvent.RootElement.GetProperty("detail-type").GetString());
        Assert.Equal("open", userEvent.RootElement.GetProperty("detail").GetProperty("to").GetString());
        using var recorderEvent = JsonDocument.Parse(Assert.Single(toRecorder));
        Assert.Equal(FailureEvents.DetailType, recorderEvent.RootElement.GetProperty("detail-type").GetString());
    }
}

/// <summary>One budget for every publish that holds up a caller (a failure, a slow call, a state change): a second, never past the caller's deadline.</summary>
public sealed class PublishBudgetTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void WithoutADeadlineAPublishGetsTheWholeBudget() =>
        Assert.Equal(TimeSpan.FromSeconds(1), PublishBudget.Until(null, Now));

    [Fact]
    public void ADeadlineCloserThanTheBudgetShortensItAndOnePastEndsItAtOnce()
    {
        Assert.Equal(TimeSpan.FromSeconds(1), PublishBudget.Until(Now.AddSeconds(5), Now));
        Assert.Equal(TimeSpan.FromMilliseconds(300), PublishBudget.Until(Now.AddMilliseconds(300), Now));
        Assert.Equal(TimeSpan.Zero, PublishBudget.Until(Now.AddSeconds(-1), Now));
    }
}
