namespace CircuitBreaker.Core.Store;

/// <summary>The persisted state of one circuit (the <c>sk = "state"</c> item).</summary>
public enum CircuitStatus
{
    /// <summary>Requests go to the downstream.</summary>
    Closed,

    /// <summary>Requests fail fast until <see cref="CircuitRecord.OpenUntil"/>.</summary>
    Open,

    /// <summary>One probe holds the lease until <see cref="CircuitRecord.ProbeLeaseUntil"/>; others fail fast.</summary>
    HalfOpen,

    /// <summary>Held open by an operator until released: no probe runs and no failure changes it.</summary>
    Isolated,
}

/// <summary>The state item of one circuit. A missing item means closed, version 0.</summary>
/// <param name="ServiceId">The circuit's key.</param>
/// <param name="Status">Closed, open, half-open or isolated.</param>
/// <param name="OpenUntil">When open: the earliest time a probe may run.</param>
/// <param name="ProbeOwner">When half-open: the request id that holds the probe lease.</param>
/// <param name="ProbeLeaseUntil">When half-open: when the lease lapses if its owner never reports.</param>
/// <param name="ClosedAt">When the circuit last closed after a probe; failures before it no longer count.</param>
/// <param name="Version">Incremented by every transition; conditional writes compare it.</param>
/// <param name="FailedProbes">Probes that failed in a row since the circuit last opened from closed; the open period's backoff doubles with each.</param>
public sealed record CircuitRecord(
    string ServiceId,
    CircuitStatus Status,
    DateTimeOffset? OpenUntil,
    string? ProbeOwner,
    DateTimeOffset? ProbeLeaseUntil,
    DateTimeOffset? ClosedAt,
    long Version,
    int FailedProbes = 0)
{
    /// <summary>When the last transition was written (by the store's clock); null before the first, or for items written before it was kept.</summary>
    public DateTimeOffset? ChangedAt { get; init; }

    /// <summary>The state of a circuit that has no item yet.</summary>
    public static CircuitRecord InitiallyClosed(string serviceId) =>
        new(serviceId, CircuitStatus.Closed, null, null, null, null, 0);
}
