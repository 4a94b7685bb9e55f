using CircuitBreaker.Contract;
using CircuitBreaker.Core.Breaker;
using CircuitBreaker.Core.Events;
using CircuitBreaker.Core.Logging;
using CircuitBreaker.Core.Store;
using Polly.CircuitBreaker;

namespace CircuitBreaker.Polly;

/// <summary>
/// A circuit that runs the breaker's own rules over a store: the core's <see cref="CircuitGate"/> (admission, the single
/// probe, this process's memory of open circuits, the open period's backoff), failure-ratio mode's
/// <see cref="SuccessCounter"/>, and a publisher that hands each failure to whoever opens the circuit (the stack's
/// recorder through the bus, or a <see cref="FailureRecorder"/> at once). Every circuit of the breaker is one: the
/// webservice's per route, <see cref="DynamoDbDistributedCircuit"/> and <see cref="InMemoryDistributedCircuit"/>.
/// </summary>
public sealed class GateCircuit : IDistributedCircuit
{
    private readonly CircuitGate _gate;
    private readonly OpenCircuitMemory _memory;
    private readonly SuccessCounter _successes;
    private readonly IFailurePublisher _failures;
    private readonly TimeProvider _time;
    private readonly FunctionLog _log;

    // Failure events this circuit could not hand on, reported with each loss so that a log query can chart them.
    private long _lostFailureEvents;

    private GateCircuit(CircuitGate gate, OpenCircuitMemory memory, SuccessCounter successes, IFailurePublisher failures, TimeProvider time, FunctionLog log)
    {
        _gate = gate;
        _memory = memory;
        _successes = successes;
        _failures = failures;
        _time = time;
        _log = log;
    }

    /// <summary>The circuit <paramref name="serviceId"/> with <paramref name="policy"/> over <paramref name="store"/>.</summary>
    /// <param name="serviceId">The circuit's key.</param>
    /// <param name="policy">The breaker's rules.</param>
    /// <param name="store">Where the circuit's state, failures and counters are.</param>
    /// <param name="failures">Where failures go to be counted.</param>
    /// <param name="transitions">Reports the transitions this circuit makes (probes).</param>
    /// <param name="probeLease">How long a probe may hold its lease: longer than the slowest call.</param>
    /// <param name="time">The clock.</param>
    /// <param name="log">Where transitions, faults and lost events are written.</param>
    /// <param name="flushEveryCall">True for a store whose writes cost nothing: successes are added after every call.</param>
    public static GateCircuit Over(
        string serviceId,
        CircuitPolicy policy,
        ICircuitStore store,
        IFailurePublisher failures,
        TransitionReporter transitions,
        TimeSpan probeLease,
        TimeProvider time,
        FunctionLog log,
        bool flushEveryCall = false)
    {
        var memory = new OpenCircuitMemory(time);
        var gate = new CircuitGate(serviceId, policy, store, memory, probeLease, time, log, transitions);
        return new GateCircuit(gate, memory, new SuccessCounter(store, serviceId, policy, time, log, flushEveryCall), failures, time, log);
    }

    /// <inheritdoc />
    public string ServiceId => _gate.ServiceId;

    /// <summary>Failure-ratio mode's count of this process's successful calls.</summary>
    internal SuccessCounter Successes => _successes;

    /// <summary>Forgets what this process remembers of the circuit, so that the next call reads its state (after an operator's change).</summary>
    public void Forget()
    {
        _memory.Forget(ServiceId);
        _gate.DistrustClosedState();
    }

    /// <inheritdoc />
    public async ValueTask<CircuitAdmission> AdmitAsync(string callId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(callId);
        var admission = await _gate.AdmitAsync(callId, cancellationToken).ConfigureAwait(false);
        if (admission.Kind is AdmissionKind.Call or AdmissionKind.Probe)
        {
            // A due success flush runs beside the call, so it costs the answer nothing unless the call is quicker; the
            // call's report waits for it (InFlight), since a Lambda instance runs nothing once it has answered.
            _ = _successes.FlushIfDueAsync(callId, cancellationToken);
        }

        var now = _time.GetUtcNow();
        var decided = admission.Kind switch
        {
            AdmissionKind.Call => CircuitAdmission.Call(),
            AdmissionKind.Probe => CircuitAdmission.Probe(),
            AdmissionKind.Reject when admission.State == CircuitView.Isolated => CircuitAdmission.Isolated(),
            AdmissionKind.Reject => CircuitAdmission.Reject(
                (admission.RetryAt ?? now) - now,
                admission.State == CircuitView.HalfOpen ? CircuitState.HalfOpen : CircuitState.Open),

            // The gate has logged why; the strategy applies FailOpen itself.
            _ => CircuitAdmission.Unavailable(null),
        };
        return admission.StateReadThrottled ? decided with { StateReadThrottled = true } : decided;
    }

    /// <inheritdoc />
    public ValueTask<ProbeSettlement> SettleProbeAsync(string callId, bool succeeded, CancellationToken cancellationToken) =>
        SettleProbeAsync(callId, succeeded, retryAfter: null, cancellationToken);

    /// <inheritdoc />
    public async ValueTask<ProbeSettlement> SettleProbeAsync(string callId, bool succeeded, TimeSpan? retryAfter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(callId);
        var settled = await _gate.SettleAsync(callId, succeeded, retryAfter, cancellationToken).ConfigureAwait(false);
        return settled is { } probe ? new ProbeSettlement(Applied: true, probe.OpenPeriod) : new ProbeSettlement(Applied: false);
    }

    /// <inheritdoc />
    public async ValueTask<bool> ReleaseProbeAsync(string callId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(callId);
        return await _gate.ReleaseProbeAsync(callId, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<bool> ReportFailureAsync(FailureEventDetail failure, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(failure);

        // Before publishing: the next call reads the state, so the opening this failure may cause is seen with that read.
        _gate.DistrustClosedState();
        using var budget = new CancellationTokenSource(PublishBudget.Longest, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, budget.Token);
        var published = await _failures.PublishAsync(failure, linked.Token).ConfigureAwait(false);
        var scope = new LogScope(failure.RequestId, ServiceId);
        if (failure.Reason == FailureReasons.Slow)
        {
            if (published)
            {
                _log.Info("slow call published as failed", scope, ("elapsedMs", failure.ElapsedMilliseconds));
            }
            else
            {
                _log.Warn("slow call not published: its failure, if it fails, will be published when it ends", scope, ("elapsedMs", failure.ElapsedMilliseconds));
            }
        }
        else if (!published)
        {
            var lost = Interlocked.Increment(ref _lostFailureEvents);
            _log.Error(
                "failure event not published: this failure will not count towards opening the circuit",
                scope,
                ("reason", failure.Reason),
                ("cause", budget.IsCancellationRequested ? "publish budget ran out" : cancellationToken.IsCancellationRequested ? "the caller's deadline came" : "EventBridge refused or failed"),
                ("publishBudgetMs", PublishBudget.Longest),
                ("lostFailureEvents", lost));
        }

        return published;
    }

    /// <inheritdoc />
    public async ValueTask ReportCallAsync(CircuitCallReport report, CancellationToken cancellationToken)
    {
        // Failed calls reach the table through the recorder; only the others are counted here (nothing in count mode).
        if (!report.Failed)
        {
            _successes.CountSuccess();
        }
        else
        {
            _gate.DistrustClosedState();
        }

        await _successes.FlushIfDueAsync(ServiceId, cancellationToken).ConfigureAwait(false);
        await _successes.InFlight.ConfigureAwait(false);
    }
}
