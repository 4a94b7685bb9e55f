namespace CircuitBreaker.Core.Breaker;

/// <summary>What the gate decided for one request.</summary>
public enum AdmissionKind
{
    /// <summary>The circuit is closed: call the downstream.</summary>
    Call,

    /// <summary>This request won the half-open election: call the downstream and report the outcome.</summary>
    Probe,

    /// <summary>Fail fast without calling the downstream.</summary>
    Reject,

    /// <summary>The store is unreachable and the breaker fails open: call the downstream.</summary>
    CallWithoutBreaker,

    /// <summary>The store is unreachable and the breaker fails closed: refuse the request.</summary>
    RejectWithoutBreaker,
}

/// <summary>The gate's decision for one request and what it is based on.</summary>
/// <param name="Kind">What to do.</param>
/// <param name="State">The circuit's state as this request saw it.</param>
/// <param name="RetryAt">For a rejection: when the caller may usefully try again.</param>
/// <param name="FromMemory">True when the decision needed no read of the store.</param>
/// <param name="StateReadThrottled">True when the store throttled this request's read: the decision is the last state's, or FailOpen's.</param>
public sealed record Admission(
    AdmissionKind Kind, CircuitView State, DateTimeOffset? RetryAt = null, bool FromMemory = false, bool StateReadThrottled = false)
{
    /// <summary>True when the downstream is to be called.</summary>
    public bool CallsDownstream => Kind is AdmissionKind.Call or AdmissionKind.Probe or AdmissionKind.CallWithoutBreaker;
}

/// <summary>What settling a probe did to the circuit.</summary>
/// <param name="To">The state the circuit moved to: closed after a successful probe, open after a failed one.</param>
/// <param name="OpenPeriod">After a failed probe: how long the circuit is open now (backoff and jitter applied).</param>
public readonly record struct SettledProbe(CircuitView To, TimeSpan? OpenPeriod);
