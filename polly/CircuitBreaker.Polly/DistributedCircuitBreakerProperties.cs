using Polly;

namespace CircuitBreaker.Polly;

/// <summary>Keys of <see cref="ResilienceContext.Properties"/> that the distributed circuit breaker reads or sets.</summary>
public static class DistributedCircuitBreakerProperties
{
    /// <summary>
    /// Read: the request this call belongs to, e.g. the Lambda request id: the failure events carry it, and a probe's
    /// lease is held under it. Unset: a new id per call.
    /// </summary>
    public static readonly ResiliencePropertyKey<string> RequestId = new("CircuitBreaker.Polly.RequestId");

    /// <summary>
    /// Read: when the caller must have its answer, less the time it needs to give it (a Lambda function: its invocation's
    /// deadline less a margin). Reporting a failure, or a slow call, never runs past it, besides taking at most a second
    /// (the breaker's publish budget), so that a slow bus costs the caller's answer nothing beyond that. Unset: the
    /// publish budget alone.
    /// </summary>
    public static readonly ResiliencePropertyKey<DateTimeOffset> Deadline = new("CircuitBreaker.Polly.Deadline");

    /// <summary>
    /// Set by the breaker: what the circuit decided for this call (call, probe, reject with the state and the time until a
    /// retry may succeed, isolated, unavailable), for the caller's answer, logs and metrics.
    /// </summary>
    public static readonly ResiliencePropertyKey<CircuitAdmission> Admission = new("CircuitBreaker.Polly.Admission");

    /// <summary>
    /// Set by the breaker when this call was the half-open probe and settling it changed the circuit: closed (no
    /// <see cref="ProbeSettlement.OpenDuration"/>) or open again for <see cref="ProbeSettlement.OpenDuration"/>.
    /// </summary>
    public static readonly ResiliencePropertyKey<ProbeSettlement> ProbeSettlement = new("CircuitBreaker.Polly.ProbeSettlement");
}
