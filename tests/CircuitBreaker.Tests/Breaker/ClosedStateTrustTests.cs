using CircuitBreaker.Contract;
using CircuitBreaker.Core.Breaker;
using CircuitBreaker.Core.Events;
using CircuitBreaker.Core.Store;
using CircuitBreaker.Polly;
using CircuitBreaker.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;
using static CircuitBreaker.Tests.Polly.PollyTestCircuits;

namespace CircuitBreaker.Tests.Breaker;

/// <summary>
/// closedStateMaxAgeSeconds: a warm instance that read the circuit closed calls without reading it again for at most that
/// age, stops trusting it at once when one of its own calls fails, times out or is reported slow, and sees an operator's
/// isolate or a recorder's opening within the age. Through the one orchestrator (the Polly strategy over the core's gate,
/// as the webservice runs it), on a fake clock, counting the store's state reads.
/// </summary>
public sealed class ClosedStateTrustTests
{
    private static readonly TimeSpan Age = TimeSpan.FromSeconds(1);

    private readonly FakeTimeProvider _time = NewClock();
    private readonly TestCircuitStore _store = new();
    private readonly RecordingFailurePublisher _failures = new();
    private readonly CapturedLog _log;

    public ClosedStateTrustTests() => _log = new CapturedLog(_time, "webservice");

    private (ResiliencePipeline Pipeline, GateCircuit Circuit) Warm(TimeSpan? age = null, TimeSpan? slowCall = null, double? failureRatio = null)
    {
        var options = Options(_time);
        options.ClosedStateMaxAge = age ?? Age;
        options.SlowCallThreshold = slowCall;
        options.FailureRatio = failureRatio;
        var circuit = GateCircuit.Over(
            ServiceId, options.ToPolicy(), _store, _failures, TransitionReporter.LogOnly(_log.Log, _time), options.ProbeLease, _time, _log.Log);
        options.Circuit = circuit;
        return (Pipeline(options), circuit);
    }

    private void Seed(CircuitStatus status, TimeSpan? openFor = null) =>
        _store.Seed(CircuitRecord.InitiallyClosed(ServiceId) with
        {
            Status = status,
            OpenUntil = openFor is { } open ? _time.GetUtcNow() + open : null,
            Version = 2,
        });

    [Fact]
    public async Task AWarmInstanceReadsTheClosedStateOncePerAgeWhateverItsRate()
    {
        var (pipeline, _) = Warm();

        // 50 calls 20 ms apart: one second of 50 req/s.
        for (var i = 0; i < 50; i++)
        {
            Assert.Null(await pipeline.SucceedAsync());
            _time.Advance(TimeSpan.FromMilliseconds(19.9));
        }

        Assert.Equal(1, _store.StateReads);

        _time.Advance(TimeSpan.FromMilliseconds(5));
        Assert.Null(await pipeline.SucceedAsync());
        Assert.Equal(2, _store.StateReads);
    }

    [Fact]
    public async Task TheTrustEndsExactlyAtTheAge()
    {
        var (pipeline, _) = Warm();
        await pipeline.SucceedAsync();

        _time.Advance(Age - TimeSpan.FromTicks(1));
        await pipeline.SucceedAsync();
        Assert.Equal(1, _store.StateReads);

        _time.Advance(TimeSpan.FromTicks(1));
        await pipeline.SucceedAsync();
        Assert.Equal(2, _store.StateReads);
    }

    [Fact]
    public async Task AgeZeroReadsTheStateForEveryCallAsBefore()
    {
        var (pipeline, _) = Warm(age: TimeSpan.Zero);

        for (var i = 0; i < 10; i++)
        {
            await pipeline.SucceedAsync();
        }

        Assert.Equal(10, _store.StateReads);
    }

    [Fact]
    public async Task AFailedCallDropsTheTrustSoTheNextCallReadsAndSeesTheOpening()
    {
        var (pipeline, _) = Warm();
        await pipeline.SucceedAsync();
        await pipeline.SucceedAsync();
        Assert.Equal(1, _store.StateReads);

        Assert.IsType<InvalidOperationException>(await pipeline.FailAsync());
        Assert.Single(_failures.Published);

        // The recorder opened the circuit on that failure; the next call reads and fails fast, well within the age.
        Seed(CircuitStatus.Open, TimeSpan.FromSeconds(30));
        Assert.IsType<BrokenCircuitException>(await pipeline.SucceedAsync());
        Assert.Equal(2, _store.StateReads);
    }

    [Fact]
    public async Task AfterAFailureTheNextReadOfClosedIsTrustedAgain()
    {
        var (pipeline, _) = Warm();
        await pipeline.SucceedAsync();
        await pipeline.FailAsync();

        await pipeline.SucceedAsync();
        await pipeline.SucceedAsync();
        await pipeline.SucceedAsync();

        Assert.Equal(2, _store.StateReads);
    }

    [Fact]
    public async Task ATimedOutCallDropsTheTrust()
    {
        var (pipeline, _) = Warm();
        await pipeline.SucceedAsync();

        var outcome = await pipeline.ExecuteOutcomeAsync<int, object?>(
            static (_, _) => Outcome.FromExceptionAsValueTask<int>(new TimeoutRejectedException("the call timed out (test)")),
            ResilienceContextPool.Shared.Get(TestContext.Current.CancellationToken),
            null);
        Assert.IsType<TimeoutRejectedException>(outcome.Exception);

        await pipeline.SucceedAsync();
        Assert.Equal(2, _store.StateReads);
    }

    [Fact]
    public async Task ASlowReportDropsTheTrustWhileTheSlowCallStillRuns()
    {
        var (pipeline, _) = Warm(slowCall: TimeSpan.FromSeconds(0.5));
        await pipeline.SucceedAsync();
        var (slowCall, finish) = await pipeline.StartHeldCallAsync(() => 1);

        _time.Advance(TimeSpan.FromSeconds(0.5));
        Assert.Equal(FailureReasons.Slow, Assert.Single(_failures.Published).Reason);
        Assert.False(slowCall.IsCompleted);

        // Within the age, but the instance has seen its own call go slow: this call reads.
        await pipeline.SucceedAsync();
        Assert.Equal(2, _store.StateReads);

        finish.SetResult();
        await slowCall;
    }

    [Fact]
    public async Task AnOperatorsIsolateReachesAWarmInstanceWithinTheAge()
    {
        var (pipeline, _) = Warm();
        await pipeline.SucceedAsync();
        Seed(CircuitStatus.Isolated);

        _time.Advance(Age - TimeSpan.FromMilliseconds(1));
        Assert.Null(await pipeline.SucceedAsync());
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.IsType<IsolatedCircuitException>(await pipeline.SucceedAsync());
    }

    [Fact]
    public async Task ARecordersOpeningReachesAWarmInstanceWithinTheAge()
    {
        var (pipeline, _) = Warm();
        await pipeline.SucceedAsync();

        // Another instance's failures opened it: this instance has seen none of its own fail.
        Seed(CircuitStatus.Open, TimeSpan.FromSeconds(30));
        _time.Advance(Age);

        Assert.IsType<BrokenCircuitException>(await pipeline.SucceedAsync());
    }

    [Fact]
    public async Task NeitherAnOpenNorAHalfOpenStateIsTrustedAsClosed()
    {
        Seed(CircuitStatus.Open, TimeSpan.FromSeconds(2));
        var (pipeline, _) = Warm();
        Assert.IsType<BrokenCircuitException>(await pipeline.SucceedAsync());

        // The probe closes the circuit; the instance reads the state afterwards rather than trusting what it last read.
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Null(await pipeline.SucceedAsync());
        Assert.Equal(CircuitStatus.Closed, (await _store.GetAsync(ServiceId, CancellationToken.None)).Status);
        var readsAfterProbe = _store.StateReads;

        await pipeline.SucceedAsync();
        await pipeline.SucceedAsync();
        Assert.Equal(readsAfterProbe + 1, _store.StateReads);
    }

    [Fact]
    public async Task InRatioModeEveryTrustedCallStillCountsAsASuccess()
    {
        var (pipeline, circuit) = Warm(failureRatio: 0.5);

        for (var i = 0; i < 5; i++)
        {
            await pipeline.SucceedAsync();
        }

        Assert.Equal(1, _store.StateReads);
        Assert.Equal(5, circuit.Successes.Pending + _store.StoredSuccesses(ServiceId));
    }

    [Fact]
    public void TheSettingIsReadFromEveryNameWithZeroAllowedAndTheRangeChecked()
    {
        Assert.Equal(TimeSpan.FromSeconds(1), CircuitPolicy.Default.ClosedStateMaxAge);
        Assert.Equal("closedStateMaxAgeSeconds", CircuitSettingKeys.ClosedStateMaxAgeSeconds.ConfigKey);
        Assert.Equal("CLOSED_STATE_MAX_AGE_SECONDS", CircuitSettingKeys.ClosedStateMaxAgeSeconds.EnvironmentVariable);
        Assert.Contains(CircuitSettingKeys.ClosedStateMaxAgeSeconds, CircuitSettingKeys.All);
        Assert.Contains(CircuitSettingKeys.ClosedStateMaxAgeSeconds, RouteKeys.PerRouteSettings);

        Assert.Equal(TimeSpan.Zero, Read("0").Policy!.ClosedStateMaxAge);
        Assert.Equal(TimeSpan.FromSeconds(0.25), Read("0.25").Policy!.ClosedStateMaxAge);
        Assert.Equal(TimeSpan.FromSeconds(60), Read("60").Policy!.ClosedStateMaxAge);
        Assert.Contains("CLOSED_STATE_MAX_AGE_SECONDS", Assert.Single(Read("-1").Errors));
        Assert.Contains("from 0 to 60", Assert.Single(Read("61").Errors));
        Assert.Contains("CLOSED_STATE_MAX_AGE_SECONDS", Assert.Single(Read("soon").Errors));

        // Written to the environment only when it differs from the default, and read back the same.
        var policy = Read("0").Policy!;
        Assert.Equal("0", policy.ToEnvironment()["CLOSED_STATE_MAX_AGE_SECONDS"]);
        Assert.DoesNotContain("CLOSED_STATE_MAX_AGE_SECONDS", CircuitPolicy.Default.ToEnvironment().Keys);

        static CircuitPolicyResult Read(string value) => CircuitSettingsReader.ReadPolicy(
            setting => setting == CircuitSettingKeys.ClosedStateMaxAgeSeconds ? value : null, setting => setting.EnvironmentVariable);
    }
}
