using CircuitBreaker.Contract;

namespace CircuitBreaker.Polly;

/// <summary>
/// A circuit of this library over a <see cref="GateCircuit"/>, the breaker's own rules: every call goes to it, and the
/// derived circuit adds what its kind owns (<see cref="DynamoDbDistributedCircuit"/> its clients,
/// <see cref="InMemoryDistributedCircuit"/> its store, counters and operator actions).
/// </summary>
public abstract class GateCircuitOwner : IDistributedCircuit
{
    private protected GateCircuitOwner(GateCircuit circuit) => Circuit = circuit;

    /// <summary>The circuit every call goes to.</summary>
    private protected GateCircuit Circuit { get; }

    /// <inheritdoc />
    public string ServiceId => Circuit.ServiceId;

    /// <inheritdoc />
    public virtual ValueTask<CircuitAdmission> AdmitAsync(string callId, CancellationToken cancellationToken) => Circuit.AdmitAsync(callId, cancellationToken);

    /// <inheritdoc />
    public ValueTask<ProbeSettlement> SettleProbeAsync(string callId, bool succeeded, CancellationToken cancellationToken) =>
        Circuit.SettleProbeAsync(callId, succeeded, cancellationToken);

    /// <inheritdoc />
    public ValueTask<ProbeSettlement> SettleProbeAsync(string callId, bool succeeded, TimeSpan? retryAfter, CancellationToken cancellationToken) =>
        Circuit.SettleProbeAsync(callId, succeeded, retryAfter, cancellationToken);

    /// <inheritdoc />
    public ValueTask<bool> ReleaseProbeAsync(string callId, CancellationToken cancellationToken) => Circuit.ReleaseProbeAsync(callId, cancellationToken);

    /// <inheritdoc />
    public ValueTask<bool> ReportFailureAsync(FailureEventDetail failure, CancellationToken cancellationToken) =>
        Circuit.ReportFailureAsync(failure, cancellationToken);

    /// <inheritdoc />
    public ValueTask ReportCallAsync(CircuitCallReport report, CancellationToken cancellationToken) => Circuit.ReportCallAsync(report, cancellationToken);
}
