using System.Collections.Concurrent;
using CircuitBreaker.Contract;
using CircuitBreaker.Polly;

namespace CircuitBreaker.Tests.Polly;

/// <summary>Passes everything to an inner circuit and keeps what the strategy reported, for assertions.</summary>
internal sealed class RecordingCircuit(IDistributedCircuit inner) : IDistributedCircuit
{
    public ConcurrentQueue<FailureEventDetail> Failures { get; } = new();

    public ConcurrentQueue<CircuitCallReport> Calls { get; } = new();

    public ConcurrentQueue<CircuitAdmission> Admissions { get; } = new();

    public ConcurrentQueue<(string CallId, bool Succeeded, ProbeSettlement Settlement)> Settlements { get; } = new();

    public string ServiceId => inner.ServiceId;

    public async ValueTask<CircuitAdmission> AdmitAsync(string callId, CancellationToken cancellationToken)
    {
        var admission = await inner.AdmitAsync(callId, cancellationToken);
        Admissions.Enqueue(admission);
        return admission;
    }

    public ValueTask<ProbeSettlement> SettleProbeAsync(string callId, bool succeeded, CancellationToken cancellationToken) =>
        SettleProbeAsync(callId, succeeded, retryAfter: null, cancellationToken);

    public async ValueTask<ProbeSettlement> SettleProbeAsync(string callId, bool succeeded, TimeSpan? retryAfter, CancellationToken cancellationToken)
    {
        var settlement = await inner.SettleProbeAsync(callId, succeeded, retryAfter, cancellationToken);
        Settlements.Enqueue((callId, succeeded, settlement));
        return settlement;
    }

    public ConcurrentQueue<(string CallId, bool Released)> Releases { get; } = new();

    public async ValueTask<bool> ReleaseProbeAsync(string callId, CancellationToken cancellationToken)
    {
        var released = await inner.ReleaseProbeAsync(callId, cancellationToken);
        Releases.Enqueue((callId, released));
        return released;
    }

    public ValueTask<bool> ReportFailureAsync(FailureEventDetail failure, CancellationToken cancellationToken)
    {
        Failures.Enqueue(failure);
        return inner.ReportFailureAsync(failure, cancellationToken);
    }

    public ValueTask ReportCallAsync(CircuitCallReport report, CancellationToken cancellationToken)
    {
        Calls.Enqueue(report);
        return inner.ReportCallAsync(report, cancellationToken);
    }
}

/// <summary>A circuit whose store is down: admission throws like an unreachable table, reports are lost.</summary>
internal sealed class UnreachableCircuit(string serviceId) : IDistributedCircuit
{
    public int FailuresOffered { get; private set; }

    public string ServiceId => serviceId;

    public ValueTask<CircuitAdmission> AdmitAsync(string callId, CancellationToken cancellationToken) =>
        throw new HttpRequestException("connection refused (test)");

    public ValueTask<ProbeSettlement> SettleProbeAsync(string callId, bool succeeded, CancellationToken cancellationToken) =>
        throw new HttpRequestException("connection refused (test)");

    public ValueTask<bool> ReportFailureAsync(FailureEventDetail failure, CancellationToken cancellationToken)
    {
        FailuresOffered++;
        return new(false);
    }

    public ValueTask ReportCallAsync(CircuitCallReport report, CancellationToken cancellationToken) =>
        throw new HttpRequestException("connection refused (test)");
}
