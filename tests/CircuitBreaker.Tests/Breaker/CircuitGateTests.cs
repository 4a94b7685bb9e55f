using CircuitBreaker.Contract;
using CircuitBreaker.Core.Breaker;
using CircuitBreaker.Core.Store;
using CircuitBreaker.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace CircuitBreaker.Tests.Breaker;

public sealed class CircuitGateTests
{
    private readonly FakeTimeProvider _time = TestClock.New();
    private readonly TestCircuitStore _store = new();
    private readonly CapturedLog _log;
    private readonly CircuitSettings _settings = TestSettings.Circuit();

    public CircuitGateTests() => _log = new CapturedLog(_time, "webservice");

    // The webservice's gate: a probe's lease covers the downstream's timeout plus the time to answer.
    private CircuitGate NewGate(CircuitSettings? settings = null, double jitterDraw = 0.5)
    {
        settings ??= _settings;
        return new(
            settings.ServiceId,
            settings.Policy,
            _store,
            new OpenCircuitMemory(_time),
            settings.Target.DownstreamTimeout + CircuitSettings.ResponseReserve,
            _time,
            _log.Log,
            backoff: new OpenPeriodBackoff(settings.Policy, () => jitterDraw));
    }

    /// <summary>One probe cycle after the open period: a new instance's request wins the probe and reports a failure.</summary>
    private async Task<Admission> FailProbeAsync(CircuitSettings settings, string probe)
    {
        var state = await _store.GetAsync(settings.ServiceId, CancellationToken.None);
        _time.Advance(state.OpenUntil!.Value - _time.GetUtcNow());
        var gate = NewGate(settings);
        Assert.Equal(AdmissionKind.Probe, (await gate.AdmitAsync(probe, CancellationToken.None)).Kind);
        await gate.SettleAsync(probe, succeeded: false, retryAfter: null, CancellationToken.None);
        return await gate.AdmitAsync(probe + "-next", CancellationToken.None);
    }

    private void SeedOpen(TimeSpan openFor) => _store.Seed(
        CircuitRecord.InitiallyClosed(_settings.ServiceId) with { Status = CircuitStatus.Open, OpenUntil = _time.GetUtcNow() + openFor, Version = 1 });

    [Fact]
    public async Task AClosedCircuitAdmitsTheCall()
    {
        var admission = await NewGate().AdmitAsync("r1", CancellationToken.None);

        Assert.Equal(AdmissionKind.Call, admission.Kind);
        Assert.Equal(CircuitView.Closed, admission.State);
        Assert.Equal(1, _store.StateReads);
    }

    [Fact]
    public async Task AnOpenCircuitRejectsUntilItsEndThenFromMemoryWithoutReads()
    {
        SeedOpen(TimeSpan.FromSeconds(30));
        var gate = NewGate();

        var first = await gate.AdmitAsync("r1", CancellationToken.None);
        _time.Advance(OpenCircuitMemory.MaxRecall - TimeSpan.FromMilliseconds(1));
        var second = await gate.AdmitAsync("r2", CancellationToken.None);

        Assert.Equal(AdmissionKind.Reject, first.Kind);
        Assert.Equal(CircuitView.Open, first.State);
        Assert.False(first.FromMemory);
        Assert.Equal(AdmissionKind.Reject, second.Kind);
        Assert.True(second.FromMemory);
        Assert.Equal(first.RetryAt, second.RetryAt);
        Assert.Equal(1, _store.StateReads);
    }

    [Fact]
    public async Task AfterTheOpenPeriodOneRequestBecomesTheProbe()
    {
        SeedOpen(TimeSpan.FromSeconds(30));
        var gate = NewGate();
        await gate.AdmitAsync("r1", CancellationToken.None);

        _time.Advance(TimeSpan.FromSeconds(30));
        var probe = await gate.AdmitAsync("r2", CancellationToken.None);
        var other = await gate.AdmitAsync("r3", CancellationToken.None);

        Assert.Equal(AdmissionKind.Probe, probe.Kind);
        Assert.Equal(AdmissionKind.Reject, other.Kind);
        Assert.Equal(CircuitView.HalfOpen, other.State);
        var transition = Assert.Single(_log.WithMessage(TransitionLog.Message));
        Assert.Equal("open", transition.GetProperty("from").GetString());
        Assert.Equal("half-open", transition.GetProperty("to").GetString());
    }

    [Fact]
    public async Task FiftyConcurrentRequestsAcrossInstancesElectExactlyOneProbe()
    {
        SeedOpen(TimeSpan.FromSeconds(1));
        _time.Advance(TimeSpan.FromSeconds(1));

        // Fifty instances, each with its own memory, as fifty Lambda instances would be.
        var admissions = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => Task.Run(() => NewGate().AdmitAsync($"r{i}", CancellationToken.None))));

        Assert.Single(admissions, a => a.Kind == AdmissionKind.Probe);
        Assert.Equal(49, admissions.Count(a => a.Kind == AdmissionKind.Reject && a.State == CircuitView.HalfOpen));
    }

    [Fact]
    public async Task ASuccessfulProbeClosesTheCircuit()
    {
        SeedOpen(TimeSpan.Zero);
        var gate = NewGate();
        Assert.Equal(AdmissionKind.Probe, (await gate.AdmitAsync("probe", CancellationToken.None)).Kind);

        await gate.SettleAsync("probe", succeeded: true, retryAfter: null, CancellationToken.None);
        var next = await gate.AdmitAsync("r2", CancellationToken.None);

        Assert.Equal(AdmissionKind.Call, next.Kind);
        var state = await _store.GetAsync(_settings.ServiceId, CancellationToken.None);
        Assert.Equal(CircuitStatus.Closed, state.Status);
        Assert.Equal(_time.GetUtcNow(), state.ClosedAt);
        Assert.Contains(_log.WithMessage(TransitionLog.Message), l => l.GetProperty("to").GetString() == "closed");
    }

    [Fact]
    public async Task AFailedProbeReopensForAnotherOpenPeriodAndRemembersIt()
    {
        SeedOpen(TimeSpan.Zero);
        var gate = NewGate();
        await gate.AdmitAsync("probe", CancellationToken.None);

        await gate.SettleAsync("probe", succeeded: false, retryAfter: null, CancellationToken.None);
        var readsAfterSettle = _store.StateReads;
        var next = await gate.AdmitAsync("r2", CancellationToken.None);

        Assert.Equal(AdmissionKind.Reject, next.Kind);
        Assert.True(next.FromMemory);
        Assert.Equal(readsAfterSettle, _store.StateReads);
        Assert.Equal(_time.GetUtcNow() + _settings.Policy.OpenDuration, next.RetryAt);
        var state = await _store.GetAsync(_settings.ServiceId, CancellationToken.None);
        Assert.Equal(CircuitStatus.Open, state.Status);
    }

    [Fact]
    public async Task WithBackoffEachFailedProbeInARowDoublesTheOpenPeriodUpToTheCap()
    {
        var settings = TestSettings.Circuit(openSeconds: 10, maxOpenSeconds: 35);
        SeedOpen(TimeSpan.Zero);
        var periods = new List<TimeSpan>();

        for (var probe = 1; probe <= 4; probe++)
        {
            var next = await FailProbeAsync(settings, $"probe-{probe}");
            Assert.Equal(AdmissionKind.Reject, next.Kind);
            periods.Add(next.RetryAt!.Value - _time.GetUtcNow());
            Assert.Equal(probe, (await _store.GetAsync(settings.ServiceId, CancellationToken.None)).FailedProbes);
        }

        // The middle of the jitter's range: 20 s, 35 s capped (its range [31.5, 35] s, middle 33.25 s), then capped.
        Assert.Equal([TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(33.25), TimeSpan.FromSeconds(33.25), TimeSpan.FromSeconds(33.25)], periods);
        var transition = _log.WithMessage(TransitionLog.Message).Last(l => l.GetProperty("to").GetString() == "open");
        Assert.Equal("probe failed (4 in a row, open 33.25 s)", transition.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task ASuccessfulProbeResetsTheBackoffSoTheNextOpeningStartsAgainFromTheOpenPeriod()
    {
        var settings = TestSettings.Circuit(openSeconds: 10, maxOpenSeconds: 80);
        SeedOpen(TimeSpan.Zero);
        await FailProbeAsync(settings, "probe-1");
        await FailProbeAsync(settings, "probe-2");
        var state = await _store.GetAsync(settings.ServiceId, CancellationToken.None);
        _time.Advance(state.OpenUntil!.Value - _time.GetUtcNow());
        var gate = NewGate(settings);
        await gate.AdmitAsync("probe-3", CancellationToken.None);

        await gate.SettleAsync("probe-3", succeeded: true, retryAfter: null, CancellationToken.None);

        Assert.Equal(0, (await _store.GetAsync(settings.ServiceId, CancellationToken.None)).FailedProbes);

        // Opened again from closed (as the recorder does), the first failed probe doubles the open period once.
        var closed = await _store.GetAsync(settings.ServiceId, CancellationToken.None);
        await _store.TryOpenAsync(settings.ServiceId, closed.Version, _time.GetUtcNow() + settings.Policy.OpenDuration, CancellationToken.None);
        var next = await FailProbeAsync(settings, "probe-4");
        Assert.Equal(TimeSpan.FromSeconds(20), next.RetryAt!.Value - _time.GetUtcNow());
    }

    [Theory]
    [InlineData(0.0, 18)]
    [InlineData(0.999999, 22)]
    public async Task TheJitterSpreadsTheBackedOffPeriodByATenthEitherWay(double draw, double expectedSeconds)
    {
        var settings = TestSettings.Circuit(openSeconds: 10, maxOpenSeconds: 100);
        SeedOpen(TimeSpan.Zero);
        _time.Advance(TimeSpan.Zero);
        var gate = NewGate(settings, jitterDraw: draw);
        await gate.AdmitAsync("probe", CancellationToken.None);

        await gate.SettleAsync("probe", succeeded: false, retryAfter: null, CancellationToken.None);

        var state = await _store.GetAsync(settings.ServiceId, CancellationToken.None);
        Assert.Equal(expectedSeconds, Math.Round((state.OpenUntil!.Value - _time.GetUtcNow()).TotalSeconds, 3));
    }

    [Fact]
    public async Task WithoutBackoffAFailedProbeReopensForExactlyTheOpenPeriodWhateverTheDraw()
    {
        SeedOpen(TimeSpan.Zero);
        var gate = NewGate(jitterDraw: 0.99);
        await gate.AdmitAsync("probe", CancellationToken.None);

        await gate.SettleAsync("probe", succeeded: false, retryAfter: null, CancellationToken.None);

        var state = await _store.GetAsync(_settings.ServiceId, CancellationToken.None);
        Assert.Equal(_time.GetUtcNow() + _settings.Policy.OpenDuration, state.OpenUntil);
        Assert.Equal("probe failed", _log.WithMessage(TransitionLog.Message)[^1].GetProperty("reason").GetString());
    }

    [Fact]
    public async Task AProbeWhoseOwnerDiedIsTakenOverAfterItsLease()
    {
        SeedOpen(TimeSpan.Zero);
        Assert.Equal(AdmissionKind.Probe, (await NewGate().AdmitAsync("dies", CancellationToken.None)).Kind);

        _time.Advance(_settings.Target.DownstreamTimeout);
        var beforeLeaseEnds = await NewGate().AdmitAsync("r2", CancellationToken.None);
        _time.Advance(CircuitSettings.ResponseReserve);
        var afterLeaseEnds = await NewGate().AdmitAsync("r3", CancellationToken.None);

        Assert.Equal(AdmissionKind.Reject, beforeLeaseEnds.Kind);
        Assert.Equal(AdmissionKind.Probe, afterLeaseEnds.Kind);
    }

    [Fact]
    public async Task ALateOutcomeFromALostLeaseChangesNothing()
    {
        SeedOpen(TimeSpan.Zero);
        await NewGate().AdmitAsync("slow", CancellationToken.None);
        _time.Advance(_settings.Target.DownstreamTimeout + CircuitSettings.ResponseReserve);
        await NewGate().AdmitAsync("takeover", CancellationToken.None);

        await NewGate().SettleAsync("slow", succeeded: true, retryAfter: null, CancellationToken.None);

        var state = await _store.GetAsync(_settings.ServiceId, CancellationToken.None);
        Assert.Equal(CircuitStatus.HalfOpen, state.Status);
        Assert.Equal("takeover", state.ProbeOwner);
        Assert.Single(_log.WithMessage("probe outcome not applied: the lease was lost"));
    }

    [Fact]
    public async Task WhileAnotherInstanceProbesRejectionsAreRememberedOnlyBrieflyAndSayWhenItsLeaseEnds()
    {
        SeedOpen(TimeSpan.Zero);
        var leaseUntil = _time.GetUtcNow() + _settings.Target.DownstreamTimeout + CircuitSettings.ResponseReserve;
        await NewGate().AdmitAsync("probe", CancellationToken.None);
        var gate = NewGate();

        var first = await gate.AdmitAsync("r1", CancellationToken.None);
        var reads = _store.StateReads;
        var fromMemory = await gate.AdmitAsync("r2", CancellationToken.None);
        _time.Advance(CircuitGate.HalfOpenRecheck);
        await gate.AdmitAsync("r3", CancellationToken.None);

        Assert.Equal(leaseUntil, first.RetryAt);
        Assert.True(fromMemory.FromMemory);
        Assert.Equal(leaseUntil, fromMemory.RetryAt);
        Assert.Equal(reads + 1, _store.StateReads);
    }

    [Fact]
    public async Task AReleasedProbeLetsAnotherInstancesNextRequestProbeAndOnlyTheOwnerReleases()
    {
        SeedOpen(TimeSpan.Zero);
        var prober = NewGate();
        await prober.AdmitAsync("probe", CancellationToken.None);
        var other = NewGate();
        Assert.Equal(AdmissionKind.Reject, (await other.AdmitAsync("r1", CancellationToken.None)).Kind);

        Assert.False(await other.ReleaseProbeAsync("r1", CancellationToken.None));
        Assert.True(await prober.ReleaseProbeAsync("probe", CancellationToken.None));
        _time.Advance(CircuitGate.HalfOpenRecheck);

        Assert.Equal(AdmissionKind.Probe, (await other.AdmitAsync("r2", CancellationToken.None)).Kind);
        var state = await _store.GetAsync(_settings.ServiceId, CancellationToken.None);
        Assert.Equal((CircuitStatus.HalfOpen, "r2"), (state.Status, state.ProbeOwner));
        Assert.Single(_log.WithMessage(CircuitGate.ProbeReleasedMessage));
    }

    [Theory]
    [InlineData(true, "CallWithoutBreaker")]
    [InlineData(false, "RejectWithoutBreaker")]
    public async Task AnUnreachableStoreFailsOpenOrClosedAsConfiguredAndSaysWhy(bool failOpen, string expectedKind)
    {
        var expected = Enum.Parse<AdmissionKind>(expectedKind);
        _store.Unavailable = true;

        var admission = await NewGate(TestSettings.Circuit(failOpen: failOpen)).AdmitAsync("r1", CancellationToken.None);

        Assert.Equal(expected, admission.Kind);
        Assert.Equal(CircuitView.Unknown, admission.State);
        var warning = Assert.Single(_log.Lines, l => l.GetProperty("level").GetString() == "WARN");
        Assert.Contains("breaker store unavailable", warning.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("r1", warning.GetProperty("requestId").GetString());
    }

    [Fact]
    public async Task SettlingWithAnUnreachableStoreIsSurvived()
    {
        SeedOpen(TimeSpan.Zero);
        var gate = NewGate();
        await gate.AdmitAsync("probe", CancellationToken.None);
        _store.Unavailable = true;

        await gate.SettleAsync("probe", succeeded: true, retryAfter: null, CancellationToken.None);

        Assert.Single(_log.WithMessage("probe outcome not applied: breaker store unavailable"));
    }
}
