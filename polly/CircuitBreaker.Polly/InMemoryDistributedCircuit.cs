using CircuitBreaker.Contract;
using CircuitBreaker.Core.Breaker;
using CircuitBreaker.Core.Events;
using CircuitBreaker.Core.Logging;
using CircuitBreaker.Core.Store;
using Polly.CircuitBreaker;

namespace CircuitBreaker.Polly;

/// <summary>
/// A circuit shared by the pipelines of one process, with the deployed breaker's rules because it runs the deployed
/// breaker's code: the webservice's gate (one probe at a time when half-open, a failed probe reopens it with the open
/// period's backoff and jitter, a successful one closes it and forgets earlier failures) and the recorder's opening rule
/// (failures within the window, by count, or by ratio once enough calls were made), over a store in this process's
/// memory. Failures count as soon as they are reported, as if the bus delivered at once, and successful calls are added
/// after every call. For tests and local runs; instances of a deployed function share their circuit through the table
/// and bus (<see cref="DynamoDbDistributedCircuit"/>).
/// </summary>
public sealed class InMemoryDistributedCircuit : GateCircuitOwner
{
    private readonly InMemoryCircuitStore _store;
    private readonly TimeProvider _time;
    private int _probesAdmitted;

    /// <summary>Creates a closed circuit with the service id and rules of <paramref name="settings"/> (its <c>Circuit</c> is ignored).</summary>
    /// <param name="settings">The settings, e.g. the options of one of the pipelines that will share the circuit.</param>
    public InMemoryDistributedCircuit(DistributedCircuitBreakerSettings settings)
        : this(settings, new InMemoryCircuitStore())
    {
    }

    private InMemoryDistributedCircuit(DistributedCircuitBreakerSettings settings, InMemoryCircuitStore store)
        : base(Over(settings, store))
    {
        _store = store;
        _time = settings.TimeProvider ?? TimeProvider.System;
    }

    private static GateCircuit Over(DistributedCircuitBreakerSettings settings, InMemoryCircuitStore store)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var serviceId = settings.ServiceId ?? throw new ArgumentException("The settings have no ServiceId.", nameof(settings));
        var time = settings.TimeProvider ?? TimeProvider.System;
        var log = new FunctionLog(TextWriter.Null, time, DynamoDbDistributedCircuit.LogHandlerName);
        var policy = settings.ToPolicy();
        var transitions = TransitionReporter.LogOnly(log, time);
        var recorder = new FailureRecorder(store, policy, time, log, transitions);
        return GateCircuit.Over(serviceId, policy, store, new RecordedAtOnce(recorder, time), transitions, settings.ProbeLease, time, log, flushEveryCall: true);
    }

    /// <summary>The circuit's state now, as the next caller would find it (open past its period reads half-open).</summary>
    public CircuitState State
    {
        get
        {
            var record = _store.Peek(ServiceId);
            return record.Status switch
            {
                CircuitStatus.Open when record.OpenUntil <= _time.GetUtcNow() => CircuitState.HalfOpen,
                CircuitStatus.Open => CircuitState.Open,
                CircuitStatus.HalfOpen => CircuitState.HalfOpen,
                CircuitStatus.Isolated => CircuitState.Isolated,
                _ => CircuitState.Closed,
            };
        }
    }

    /// <summary>How many failures were reported since the circuit last closed, in or out of the window.</summary>
    public int ReportedFailures
    {
        get
        {
            var closedAt = _store.Peek(ServiceId).ClosedAt;
            return _store.Failures.Count(failure => failure.ServiceId == ServiceId && (closedAt is null || failure.FailedAt >= closedAt));
        }
    }

    /// <summary>How many probes were admitted.</summary>
    public int ProbesAdmitted => Volatile.Read(ref _probesAdmitted);

    /// <inheritdoc />
    public override async ValueTask<CircuitAdmission> AdmitAsync(string callId, CancellationToken cancellationToken)
    {
        var admission = await base.AdmitAsync(callId, cancellationToken).ConfigureAwait(false);
        if (admission.Kind == CircuitAdmissionKind.Probe)
        {
            Interlocked.Increment(ref _probesAdmitted);
        }

        return admission;
    }

    /// <summary>Holds the circuit open until <see cref="Close"/>, as the operator's tool does: callers get <see cref="IsolatedCircuitException"/>.</summary>
    public void Isolate()
    {
        _store.Isolate(ServiceId);
        Circuit.Forget();
    }

    /// <summary>Closes the circuit now, whatever its state, as the operator's tool does; earlier failures stop counting.</summary>
    public void Close()
    {
        _store.ForceClose(ServiceId, _time.GetUtcNow());
        Circuit.Forget();
    }

    // The bus and the stack's recorder, in one step: each failure is recorded (and may open the circuit) as it is reported.
    private sealed class RecordedAtOnce(FailureRecorder recorder, TimeProvider time) : IFailurePublisher
    {
        public async Task<bool> PublishAsync(FailureEventDetail detail, CancellationToken cancellationToken)
        {
            await recorder.RecordAsync(Guid.NewGuid().ToString("N"), detail, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            return true;
        }
    }
}
