using System.Collections.Concurrent;
using System.Globalization;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Logging;
using CircuitBreaker.Core.Store;

namespace CircuitBreaker.Core.Breaker;

/// <summary>
/// The webservice's side of the breaker: decides, per request, whether the downstream is called, and
/// settles the half-open probe. The recorder's side, which opens the circuit, is <see cref="FailureRecorder"/>. The
/// whole state machine, and who performs each transition: docs/design.md, "State machine".
/// </summary>
/// <param name="serviceId">The circuit's key.</param>
/// <param name="settings">The circuit's policy.</param>
/// <param name="store">The circuit's state.</param>
/// <param name="memory">This instance's memory of open circuits.</param>
/// <param name="probeLease">
/// How long a probe holds its lease: longer than the probe can take (for the webservice, the downstream's timeout plus
/// <see cref="CircuitSettings.ResponseReserve"/>; for the Polly library, its <c>ProbeLease</c>).
/// </param>
/// <param name="time">The clock.</param>
/// <param name="log">Where transitions and faults are written.</param>
/// <param name="transitions">Reports each transition (log line and state-change event); null logs them only.</param>
/// <param name="backoff">The open period after a failed probe; null builds one from the settings with shared randomness.</param>
public sealed class CircuitGate(
    string serviceId,
    CircuitPolicy settings,
    ICircuitStore store,
    OpenCircuitMemory memory,
    TimeSpan probeLease,
    TimeProvider time,
    FunctionLog log,
    TransitionReporter? transitions = null,
    OpenPeriodBackoff? backoff = null)
{
    private readonly TimeSpan _probeLease = probeLease;

    private readonly TransitionReporter _transitions = transitions ?? TransitionReporter.LogOnly(log, time);

    private readonly OpenPeriodBackoff _backoff = backoff ?? new OpenPeriodBackoff(settings, Random.Shared.NextDouble);

    // Failed probes in a row as the state item said when this instance's request won the probe, by request id:
    // the reopen after a failed probe lengthens the period from there without reading the state again.
    private readonly ConcurrentDictionary<string, int> _failedProbesBefore = new(StringComparer.Ordinal);

    /// <summary>
    /// While another instance probes, how long this one answers from memory before reading the state
    /// again: short, so that a quick successful probe is noticed quickly.
    /// </summary>
    internal static readonly TimeSpan HalfOpenRecheck = TimeSpan.FromSeconds(1);

    /// <summary>The most often a throttled read is logged, per instance and circuit.</summary>
    internal static readonly TimeSpan ThrottledLogInterval = TimeSpan.FromSeconds(1);

    /// <summary>How the line about a throttled state read begins.</summary>
    internal const string ThrottledReadMessage = "breaker store throttled the state read";

    // One instance of each, so that a closed circuit's admission allocates nothing.
    private static readonly Admission Closed = new(AdmissionKind.Call, CircuitView.Closed);
    private static readonly Admission TrustedClosed = new(AdmissionKind.Call, CircuitView.Closed, FromMemory: true);

    private readonly StateReadMemory _reads = new(settings.ClosedStateMaxAge, time);

    // The throttled-read line: when it was last written (a timestamp; 0 never) and the throttled reads since.
    private long _throttleLineAt;
    private long _throttledSinceLine;

    /// <summary>
    /// Decides for one request. Never throws for a fault of the store: it becomes
    /// <see cref="AdmissionKind.CallWithoutBreaker"/> or <see cref="AdmissionKind.RejectWithoutBreaker"/>
    /// as <see cref="CircuitPolicy.FailOpen"/> says, with a log line saying why.
    /// </summary>
    public async Task<Admission> AdmitAsync(string requestId, CancellationToken cancellationToken)
    {
        if (memory.TryRecall(serviceId, out var rememberedUntil, out var rememberedState))
        {
            return new Admission(AdmissionKind.Reject, rememberedState, rememberedUntil, FromMemory: true);
        }

        if (_reads.TrustsClosed())
        {
            return TrustedClosed;
        }

        var distrustsBeforeRead = _reads.Distrusts;
        CircuitRecord record;
        try
        {
            record = await store.GetAsync(serviceId, cancellationToken).ConfigureAwait(false);
        }
        catch (CircuitStoreThrottledException error)
        {
            return await AdmitThrottledAsync(requestId, error, cancellationToken).ConfigureAwait(false);
        }
        catch (CircuitStoreUnavailableException error)
        {
            return WithoutBreaker(requestId, error);
        }

        _reads.Remember(record, distrustsBeforeRead);
        try
        {
            return await DecideAsync(record, requestId, cancellationToken).ConfigureAwait(false);
        }
        catch (CircuitStoreUnavailableException error)
        {
            // The probe's election could not be written (throttled or not): the read state stands, the store does not.
            return WithoutBreaker(requestId, error);
        }
    }

    /// <summary>
    /// Stops trusting the closed state this instance read, because one of its own calls failed, timed out or was reported
    /// slow: its next request reads the state again, so that the circuit's opening (or an operator's isolate) reaches it
    /// with that read rather than after <see cref="CircuitPolicy.ClosedStateMaxAge"/>.
    /// </summary>
    public void DistrustClosedState() => _reads.Distrust();

    /// <summary>The circuit's key.</summary>
    public string ServiceId => serviceId;

    /// <summary>
    /// Settles the probe this request won: success closes the circuit (earlier failures stop counting),
    /// failure opens it for another period, longer with each failed probe in a row when backoff is on
    /// (<see cref="OpenPeriodBackoff"/>), and at least as long as the downstream's <paramref name="retryAfter"/> asked
    /// (up to <see cref="CircuitPolicy.MaxRetryAfter"/>).
    /// </summary>
    /// <param name="requestId">The request that won the probe.</param>
    /// <param name="succeeded">Whether the probe's call succeeded.</param>
    /// <param name="retryAfter">A failed probe's <c>Retry-After</c> from the downstream, when it sent one.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <returns>What this request did to the circuit, including how long a failed probe reopened it for; null when it moved nothing.</returns>
    public async Task<SettledProbe?> SettleAsync(string requestId, bool succeeded, TimeSpan? retryAfter, CancellationToken cancellationToken)
    {
        var scope = new LogScope(requestId, serviceId, CircuitView.HalfOpen.Name());
        var now = time.GetUtcNow();
        var failedProbes = (_failedProbesBefore.TryRemove(requestId, out var before) ? before : 0) + 1;
        try
        {
            if (succeeded)
            {
                if (await store.TryCloseAsync(serviceId, requestId, now, cancellationToken).ConfigureAwait(false))
                {
                    memory.Forget(serviceId);
                    await _transitions.ReportAsync(scope, CircuitView.HalfOpen, CircuitView.Closed, "probe succeeded", null, cancellationToken).ConfigureAwait(false);
                    return new SettledProbe(CircuitView.Closed, null);
                }
            }
            else
            {
                var backedOff = _backoff.PeriodAfter(failedProbes);
                var period = settings.OpenPeriodHonouring(backedOff, retryAfter);
                var openUntil = now + period;
                if (await store.TryReopenAsync(serviceId, requestId, openUntil, failedProbes, cancellationToken).ConfigureAwait(false))
                {
                    memory.Remember(serviceId, openUntil, CircuitView.Open);
                    var reason = period > backedOff
                        ? string.Create(CultureInfo.InvariantCulture, $"probe failed (open {period.TotalSeconds:0.###} s as the downstream's Retry-After asked)")
                        : _backoff.IsOn
                            ? string.Create(CultureInfo.InvariantCulture, $"probe failed ({failedProbes} in a row, open {period.TotalSeconds:0.###} s)")
                            : "probe failed";
                    await _transitions.ReportAsync(scope, CircuitView.HalfOpen, CircuitView.Open, reason, openUntil, cancellationToken).ConfigureAwait(false);
                    return new SettledProbe(CircuitView.Open, period);
                }
            }

            // The lease lapsed and another request took it over: its outcome will settle the circuit.
            log.Warn("probe outcome not applied: the lease was lost", scope, ("probeSucceeded", succeeded));
            return null;
        }
        catch (CircuitStoreUnavailableException error)
        {
            // The lease lapses by itself and another request probes again: nothing is stuck.
            log.Warn("probe outcome not applied: breaker store unavailable", scope, ("probeSucceeded", succeeded), ("error", error));
            return null;
        }
    }

    /// <summary>
    /// Lets go of the probe this request won without settling it, when it ends without an outcome (its caller cancelled,
    /// or too little time was left to run it): the next request anywhere may probe at once, instead of every request
    /// failing fast until the lease lapses. Never throws for a fault of the store: the lease then lapses by itself.
    /// </summary>
    /// <returns>True when the lease was released; false when this request did not hold it (any more) or the store failed.</returns>
    public async Task<bool> ReleaseProbeAsync(string requestId, CancellationToken cancellationToken)
    {
        _failedProbesBefore.TryRemove(requestId, out _);
        var scope = new LogScope(requestId, serviceId, CircuitView.HalfOpen.Name());
        try
        {
            if (!await store.TryReleaseProbeAsync(serviceId, requestId, time.GetUtcNow(), cancellationToken).ConfigureAwait(false))
            {
                return false;
            }

            // This instance's own requests would otherwise keep failing fast from memory until the recheck.
            memory.Forget(serviceId);
            log.Info(ProbeReleasedMessage, scope);
            return true;
        }
        catch (CircuitStoreUnavailableException error)
        {
            log.Warn("probe not released: breaker store unavailable; its lease lapses by itself", scope, ("error", error));
            return false;
        }
    }

    /// <summary>The line logged when a probe is given up without an outcome and its lease released.</summary>
    internal const string ProbeReleasedMessage = "probe given up without an outcome: its lease is released so that the next request may probe";

    // What a state read (or, when the store throttled the read, the last one) says for this request.
    private async Task<Admission> DecideAsync(CircuitRecord record, string requestId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        switch (record.Status)
        {
            case CircuitStatus.Open when record.OpenUntil > now:
                memory.Remember(serviceId, record.OpenUntil.Value, CircuitView.Open);
                return new Admission(AdmissionKind.Reject, CircuitView.Open, record.OpenUntil);

            case CircuitStatus.HalfOpen when record.ProbeLeaseUntil > now:
                return RejectWhileProbing(record.ProbeLeaseUntil.Value, now);

            case CircuitStatus.Isolated:
                // Rechecked soon, so that an operator's release reaches every instance quickly.
                memory.Remember(serviceId, now + HalfOpenRecheck, CircuitView.Isolated);
                return new Admission(AdmissionKind.Reject, CircuitView.Isolated);

            case CircuitStatus.Open or CircuitStatus.HalfOpen:
                // The election is a conditional write on the stored state, so it is right even on a state read a while ago.
                return await ElectProbeAsync(record, requestId, now, cancellationToken).ConfigureAwait(false);

            default:
                return Closed;
        }
    }

    // A throttled read is not retried on the request path: the item is hot, and a retry only adds to it and to the
    // request's latency. The last state read stands in for it while it is recent; without one, FailOpen decides at once.
    private async Task<Admission> AdmitThrottledAsync(string requestId, CircuitStoreThrottledException error, CancellationToken cancellationToken)
    {
        if (!_reads.TryRecallRecent(out var record, out var age))
        {
            LogThrottled(requestId, error, null);
            return WithoutBreaker(requestId, error, logged: true) with { StateReadThrottled = true };
        }

        LogThrottled(requestId, error, age);
        try
        {
            return await DecideAsync(record, requestId, cancellationToken).ConfigureAwait(false) with { StateReadThrottled = true };
        }
        catch (CircuitStoreUnavailableException electionError)
        {
            return WithoutBreaker(requestId, electionError) with { StateReadThrottled = true };
        }
    }

    // At most one line a second per instance and circuit: throttling comes with high traffic, and a line per request
    // would multiply the log bill exactly then. The line says how many throttled reads it stands for.
    private void LogThrottled(string requestId, CircuitStoreThrottledException error, TimeSpan? standInAge)
    {
        var throttled = Interlocked.Increment(ref _throttledSinceLine);
        var now = time.GetTimestamp();
        var last = Interlocked.Read(ref _throttleLineAt);
        if (last != 0 && time.GetElapsedTime(last, now) < ThrottledLogInterval)
        {
            return;
        }

        if (Interlocked.CompareExchange(ref _throttleLineAt, now, last) != last)
        {
            return;
        }

        Interlocked.Add(ref _throttledSinceLine, -throttled);
        var scope = new LogScope(requestId, serviceId, CircuitView.Unknown.Name());
        if (standInAge is { } age)
        {
            log.Warn(
                ThrottledReadMessage + ": deciding on the state read before",
                scope,
                ("stateAgeMs", Math.Round(age.TotalMilliseconds)),
                ("throttledReads", throttled),
                ("error", error.Message));
        }
        else
        {
            log.Warn(
                ThrottledReadMessage + (settings.FailOpen ? ": no recent state, failing open" : ": no recent state, failing closed"),
                scope,
                ("throttledReads", throttled),
                ("error", error.Message));
        }
    }

    private async Task<Admission> ElectProbeAsync(CircuitRecord record, string requestId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // The lease covers the whole probe (for the webservice: the downstream's timeout plus the time to answer).
        var leaseUntil = now + _probeLease;
        if (await store.TryAcquireProbeAsync(serviceId, requestId, now, leaseUntil, cancellationToken).ConfigureAwait(false))
        {
            _failedProbesBefore[requestId] = record.FailedProbes;
            memory.Forget(serviceId);
            var from = record.Status.ToView();
            var reason = record.Status == CircuitStatus.Open ? "open period ended" : "previous probe's lease lapsed";
            await _transitions.ReportAsync(new LogScope(requestId, serviceId, from.Name()), from, CircuitView.HalfOpen, reason, null, cancellationToken)
                .ConfigureAwait(false);
            return new Admission(AdmissionKind.Probe, CircuitView.HalfOpen);
        }

        // Another request won the election an instant ago.
        return RejectWhileProbing(leaseUntil, now);
    }

    // Told to retry when the probe's lease ends, the latest the circuit can stay as it is (a caller told less is only
    // refused again); remembered only until the recheck, since the probe may settle it any moment.
    private Admission RejectWhileProbing(DateTimeOffset leaseUntil, DateTimeOffset now)
    {
        memory.Remember(serviceId, leaseUntil, CircuitView.HalfOpen, recheckAt: now + HalfOpenRecheck);
        return new Admission(AdmissionKind.Reject, CircuitView.HalfOpen, leaseUntil);
    }

    private Admission WithoutBreaker(string requestId, CircuitStoreUnavailableException error, bool logged = false)
    {
        var kind = settings.FailOpen ? AdmissionKind.CallWithoutBreaker : AdmissionKind.RejectWithoutBreaker;
        if (logged)
        {
            return new Admission(kind, CircuitView.Unknown);
        }

        log.Warn(
            settings.FailOpen
                ? "breaker store unavailable: failing open, calling the downstream"
                : "breaker store unavailable: failing closed, refusing the request",
            new LogScope(requestId, serviceId, CircuitView.Unknown.Name()),
            ("error", error));
        return new Admission(kind, CircuitView.Unknown);
    }
}
