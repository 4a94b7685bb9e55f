using Polly.CircuitBreaker;

namespace CircuitBreaker.Polly;

/// <summary>What the circuit decided for one call.</summary>
public enum CircuitAdmissionKind
{
    /// <summary>The circuit is closed: run the call.</summary>
    Call,

    /// <summary>This call won the half-open election across all instances: run it, then settle the probe.</summary>
    Probe,

    /// <summary>Fail fast: the circuit is open, or another caller is probing.</summary>
    Reject,

    /// <summary>Fail fast: an operator holds the circuit open until it is released.</summary>
    Isolated,

    /// <summary>
    /// The circuit's own store could not be consulted. The strategy's <c>FailOpen</c> decides whether the call
    /// runs without the breaker or is refused.
    /// </summary>
    Unavailable,
}

/// <summary>The circuit's decision for one call and the state it was based on.</summary>
public readonly record struct CircuitAdmission
{
    /// <summary>What to do.</summary>
    public CircuitAdmissionKind Kind { get; init; }

    /// <summary>The circuit's state as this call saw it; meaningless for <see cref="CircuitAdmissionKind.Unavailable"/>.</summary>
    public CircuitState State { get; init; }

    /// <summary>For a rejection: how long until a call may usefully be tried again.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>
    /// True when the circuit's store throttled this call's read of the state: the decision is then the last state read's
    /// (when it was recent) or <c>FailOpen</c>'s. The webservice counts these as <c>StateReadsThrottled</c>.
    /// </summary>
    public bool StateReadThrottled { get; init; }

    /// <summary>For <see cref="CircuitAdmissionKind.Unavailable"/>: what went wrong, when known.</summary>
    public Exception? Fault { get; init; }

    /// <summary>The circuit is closed: run the call.</summary>
    public static CircuitAdmission Call() => new() { Kind = CircuitAdmissionKind.Call, State = CircuitState.Closed };

    /// <summary>This call is the one probe of the half-open circuit.</summary>
    public static CircuitAdmission Probe() => new() { Kind = CircuitAdmissionKind.Probe, State = CircuitState.HalfOpen };

    /// <summary>Fail fast for <paramref name="retryAfter"/>; <paramref name="state"/> is open, or half-open while another caller probes.</summary>
    public static CircuitAdmission Reject(TimeSpan retryAfter, CircuitState state = CircuitState.Open) =>
        new() { Kind = CircuitAdmissionKind.Reject, State = state, RetryAfter = retryAfter < TimeSpan.Zero ? TimeSpan.Zero : retryAfter };

    /// <summary>Fail fast until an operator releases the circuit.</summary>
    public static CircuitAdmission Isolated() => new() { Kind = CircuitAdmissionKind.Isolated, State = CircuitState.Isolated };

    /// <summary>The circuit's store could not be consulted.</summary>
    public static CircuitAdmission Unavailable(Exception? fault) => new() { Kind = CircuitAdmissionKind.Unavailable, Fault = fault };
}
