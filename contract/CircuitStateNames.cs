namespace CircuitBreaker.Contract;

/// <summary>Values of <see cref="CircuitStateChangeDetail.From"/> and <see cref="CircuitStateChangeDetail.To"/>.</summary>
public static class CircuitStateNames
{
    /// <summary>Requests reach the downstream.</summary>
    public const string Closed = "closed";

    /// <summary>Requests fail fast until the open period ends.</summary>
    public const string Open = "open";

    /// <summary>One probe runs; the others fail fast.</summary>
    public const string HalfOpen = "half-open";

    /// <summary>Held open by an operator until released; nothing else changes it.</summary>
    public const string Isolated = "isolated";
}
