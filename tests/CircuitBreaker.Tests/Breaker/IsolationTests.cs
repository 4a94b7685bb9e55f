using System.Text.Json;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Breaker;
using CircuitBreaker.Core.Store;
using CircuitBreaker.Functions.Webservice.Http;
using CircuitBreaker.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace CircuitBreaker.Tests.Breaker;

/// <summary>An isolated circuit fails fast until an operator releases it; neither probes nor failures change it.</summary>
public sealed class IsolationTests
{
    private readonly FakeTimeProvider _time = TestClock.New();
    private readonly TestCircuitStore _store = new();
    private readonly CircuitSettings _settings = TestSettings.Circuit(threshold: 2, openSeconds: 10);
    private readonly CapturedLog _log;

    public IsolationTests()
    {
        _log = new CapturedLog(_time);
        _store.Seed(CircuitRecord.InitiallyClosed(_settings.ServiceId) with { Status = CircuitStatus.Isolated, Version = 4 });
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private CircuitGate NewGate(OpenCircuitMemory? memory = null) =>
        new(_settings.ServiceId, _settings.Policy, _store, memory ?? new OpenCircuitMemory(_time), TimeSpan.FromSeconds(12), _time, _log.Log);

    [Fact]
    public async Task AnIsolatedCircuitRejectsEveryRequestAndNoProbeEverRuns()
    {
        var gate = NewGate();
        var admissions = new List<Admission>();
        for (var i = 0; i < 10; i++)
        {
            admissions.Add(await gate.AdmitAsync($"r{i}", Token));
            _time.Advance(_settings.Policy.OpenDuration);
        }

        Assert.All(admissions, a => Assert.Equal((AdmissionKind.Reject, CircuitView.Isolated), (a.Kind, a.State)));
        Assert.Equal(CircuitStatus.Isolated, (await _store.GetAsync(_settings.ServiceId, Token)).Status);
        Assert.Empty(_log.WithMessage(TransitionLog.Message));
    }

    [Fact]
    public async Task TheAnswerIsA503SayingIsolatedWithoutRetryAfter()
    {
        using var http = new HttpClient();
        var webservice = CircuitBreaker.Functions.FunctionInstance.NewWebserviceHandler(
            _store, CircuitBreaker.Functions.FunctionInstance.NewDownstreamClient(http, _settings, _time), new RecordingFailurePublisher(), _settings, _time, _log.Log);

        var answer = await webservice.HandleAsync(Invocations.Of(Invocations.HttpApiEvent(), _time), Token);

        using var response = JsonDocument.Parse(answer);
        Assert.Equal(503, response.RootElement.GetProperty("statusCode").GetInt32());
        Assert.False(response.RootElement.GetProperty("headers").TryGetProperty("retry-after", out _));
        using var problem = JsonDocument.Parse(response.RootElement.GetProperty("body").GetString()!);
        Assert.Equal(ProblemTypes.CircuitIsolated, problem.RootElement.GetProperty("type").GetString());
        Assert.Equal(CircuitStateNames.Isolated, problem.RootElement.GetProperty("circuitState").GetString());
        Assert.Equal("isolated", problem.RootElement.GetProperty("circuitState").GetString());
    }

    [Fact]
    public async Task AReleaseReachesAnInstanceThatRemembersTheIsolationWithinTheRecheck()
    {
        var memory = new OpenCircuitMemory(_time);
        var gate = NewGate(memory);
        await gate.AdmitAsync("r1", Token);
        _store.Seed(CircuitRecord.InitiallyClosed(_settings.ServiceId) with { Status = CircuitStatus.Closed, Version = 5 });

        var remembered = await gate.AdmitAsync("r2", Token);
        _time.Advance(CircuitGate.HalfOpenRecheck);
        var released = await gate.AdmitAsync("r3", Token);

        Assert.Equal((AdmissionKind.Reject, CircuitView.Isolated, true), (remembered.Kind, remembered.State, remembered.FromMemory));
        Assert.Equal((AdmissionKind.Call, CircuitView.Closed), (released.Kind, released.State));
    }

    [Fact]
    public async Task AManualCloseOfAnOpenCircuitReachesEveryInstanceWithinTheMaximumRecall()
    {
        _store.Seed(CircuitRecord.InitiallyClosed(_settings.ServiceId) with { Status = CircuitStatus.Open, OpenUntil = _time.GetUtcNow().AddHours(1), Version = 1 });
        var gate = NewGate();
        Assert.Equal(AdmissionKind.Reject, (await gate.AdmitAsync("r1", Token)).Kind);
        _store.Seed(CircuitRecord.InitiallyClosed(_settings.ServiceId) with { Status = CircuitStatus.Closed, Version = 2 });

        _time.Advance(OpenCircuitMemory.MaxRecall);
        var admission = await gate.AdmitAsync("r2", Token);

        Assert.Equal(AdmissionKind.Call, admission.Kind);
    }

    [Fact]
    public async Task FailuresAreStoredButNeverOpenAnIsolatedCircuit()
    {
        var recorder = new FailureRecorder(_store, _settings.Policy, _time, _log.Log);
        for (var i = 0; i < 5; i++)
        {
            var failure = new FailureEventDetail(_settings.ServiceId, _time.GetUtcNow().ToUnixTimeMilliseconds(), FailureReasons.ServerError, 500, $"req-{i}", 3);
            var outcome = await recorder.RecordAsync($"e{i}", failure, Token);
            Assert.True(outcome.Stored);
            Assert.False(outcome.Opened);
        }

        Assert.Equal(5, _store.Failures.Count);
        Assert.Equal(CircuitStatus.Isolated, (await _store.GetAsync(_settings.ServiceId, Token)).Status);
    }
}
