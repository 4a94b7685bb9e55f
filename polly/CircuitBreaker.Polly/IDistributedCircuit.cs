using CircuitBreaker.Contract;

namespace CircuitBreaker.Polly;

/// <summary>
/// The shared circuit behind <c>AddDistributedCircuitBreaker</c>: one circuit, keyed by its service id,
/// that every instance of every function consults. The strategy asks it before each call, reports how
/// calls went, and settles the probe it was given; the circuit decides nothing about outcomes (the
/// strategy's <c>ShouldHandle</c> does) and never opens by itself on this side: failures are reported and
/// whoever records them (the stack's recorder, fed by the bus) opens the circuit.
/// </summary>
/// <remarks>
/// Implementations must be safe to call concurrently, and should not throw for a fault of their own store
/// or bus: <see cref="AdmitAsync"/> answers <see cref="CircuitAdmissionKind.Unavailable"/> instead, and the
/// reporting methods return what they could do. The strategy survives a throw anyway, treating it the same way.
/// </remarks>
public interface IDistributedCircuit
{
    /// <summary>The circuit's key: the same service id the stack and the failure events use.</summary>
    string ServiceId { get; }

    /// <summary>
    /// Decides whether the call identified by <paramref name="callId"/> may run. At most one caller across
    /// all instances is given <see cref="CircuitAdmissionKind.Probe"/> while the circuit is half-open.
    /// </summary>
    /// <param name="callId">Identifies this call, e.g. the Lambda request id; the probe's lease is held under it.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    ValueTask<CircuitAdmission> AdmitAsync(string callId, CancellationToken cancellationToken);

    /// <summary>
    /// Settles the probe <paramref name="callId"/> was admitted for: success closes the circuit (earlier
    /// failures stop counting), failure opens it for another open period (doubling up to the cap when backoff is on).
    /// </summary>
    /// <param name="callId">The id the probe was admitted under.</param>
    /// <param name="succeeded">Whether the probe's outcome was a success.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <returns>Whether this settlement changed the circuit, and for a failed probe the new open period.</returns>
    ValueTask<ProbeSettlement> SettleProbeAsync(string callId, bool succeeded, CancellationToken cancellationToken);

    /// <summary>
    /// Settles the probe as <see cref="SettleProbeAsync(string, bool, CancellationToken)"/> does; a failed probe whose
    /// dependency said how long to leave it alone (<paramref name="retryAfter"/>) reopens the circuit at least that long,
    /// up to the circuit's cap. The default ignores <paramref name="retryAfter"/>.
    /// </summary>
    /// <param name="callId">The id the probe was admitted under.</param>
    /// <param name="succeeded">Whether the probe's outcome was a success.</param>
    /// <param name="retryAfter">The failed probe's <c>Retry-After</c> (<see cref="CircuitFailure.RetryAfter"/>), or null.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <returns>Whether this settlement changed the circuit, and for a failed probe the new open period.</returns>
    ValueTask<ProbeSettlement> SettleProbeAsync(string callId, bool succeeded, TimeSpan? retryAfter, CancellationToken cancellationToken) =>
        SettleProbeAsync(callId, succeeded, cancellationToken);

    /// <summary>
    /// Lets go of the probe <paramref name="callId"/> was admitted for, without an outcome (its caller cancelled, or the
    /// call ended before it could say anything about the dependency): the next caller in any instance may probe at once.
    /// Only the probe's own caller releases it. The default does nothing, and the lease then lapses by itself after
    /// <c>ProbeLease</c>, refusing every caller until then: a circuit shared across instances should override it.
    /// </summary>
    /// <param name="callId">The id the probe was admitted under.</param>
    /// <param name="cancellationToken">Bounds the release; the strategy passes none, since its caller's token may be the cancelled one.</param>
    /// <returns>True when the lease was released; false when <paramref name="callId"/> did not hold it.</returns>
    ValueTask<bool> ReleaseProbeAsync(string callId, CancellationToken cancellationToken) => ValueTask.FromResult(false);

    /// <summary>
    /// Reports one failed call. It is published as a failure event (<see cref="FailureEvents"/>) and counted
    /// by whoever records those, exactly as the webservice's failures are. The strategy passes a token that ends at the
    /// caller's <see cref="DistributedCircuitBreakerProperties.Deadline"/>; the circuit bounds publishing further by its
    /// publish budget.
    /// </summary>
    /// <param name="failure">The event's detail.</param>
    /// <param name="cancellationToken">Bounds how long publishing may take.</param>
    /// <returns>True when the failure was accepted for counting; false when it was lost (the call's outcome stands).</returns>
    ValueTask<bool> ReportFailureAsync(FailureEventDetail failure, CancellationToken cancellationToken);

    /// <summary>
    /// Reports that an admitted call completed, failed or not, so that failure-ratio mode knows how many calls
    /// were made. Count-mode circuits may ignore it; implementations should count in memory and write rarely.
    /// </summary>
    /// <param name="report">When the call completed and whether it failed.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    ValueTask ReportCallAsync(CircuitCallReport report, CancellationToken cancellationToken);
}

/// <summary>One completed call, for the circuit's count of calls.</summary>
/// <param name="CompletedAt">When the call completed.</param>
/// <param name="Failed">Whether the strategy judged it failed (including a slow call that later succeeded).</param>
public readonly record struct CircuitCallReport(DateTimeOffset CompletedAt, bool Failed);

/// <summary>What settling a probe did.</summary>
/// <param name="Applied">True when this settlement changed the circuit; false when the probe's lease had been lost to another caller.</param>
/// <param name="OpenDuration">After a failed probe that was applied: how long the circuit is open now.</param>
public readonly record struct ProbeSettlement(bool Applied, TimeSpan? OpenDuration = null);
