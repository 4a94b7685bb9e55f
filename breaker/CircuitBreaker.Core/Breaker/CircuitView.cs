using CircuitBreaker.Core.Store;

namespace CircuitBreaker.Core.Breaker;

/// <summary>
/// The circuit's state as a request experiences it, for responses and logs. Differs from the stored
/// <see cref="CircuitStatus"/> in naming an open circuit whose probe may run, and an unknown state.
/// </summary>
public enum CircuitView
{
    /// <summary>Requests go to the downstream.</summary>
    Closed,

    /// <summary>Requests fail fast until the open period ends.</summary>
    Open,

    /// <summary>One probe is testing the downstream; other requests fail fast.</summary>
    HalfOpen,

    /// <summary>The breaker's store could not be read, so the state is not known.</summary>
    Unknown,

    /// <summary>Held open by an operator until released; requests fail fast, nothing else changes it.</summary>
    Isolated,
}

/// <summary>Spells <see cref="CircuitView"/> the way logs and problem bodies show it.</summary>
public static class CircuitViewNames
{
    /// <summary>The lower-case, hyphenated name: closed, open, half-open, isolated, unknown (as <c>CircuitStateNames</c> spells them).</summary>
    public static string Name(this CircuitView view) => view switch
    {
        CircuitView.Closed => "closed",
        CircuitView.Open => "open",
        CircuitView.HalfOpen => "half-open",
        CircuitView.Isolated => "isolated",
        _ => "unknown",
    };

    /// <summary>The view of a stored status.</summary>
    public static CircuitView ToView(this CircuitStatus status) => status switch
    {
        CircuitStatus.Closed => CircuitView.Closed,
        CircuitStatus.Open => CircuitView.Open,
        CircuitStatus.Isolated => CircuitView.Isolated,
        _ => CircuitView.HalfOpen,
    };
}
