namespace CircuitBreaker.Contract;

/// <summary>
/// The event published on the breaker's bus at every circuit transition, and the pattern a user's rule
/// (or the stack's alarm rule) matches it with. Its detail-type differs from
/// <see cref="FailureEvents.DetailType"/>, so the failure rule never routes a state change to the recorder.
/// </summary>
public static class StateChangeEvents
{
    /// <summary>The event's <c>source</c>: the breaker as a whole, whichever function saw the transition.</summary>
    public const string Source = "circuit-breaker";

    /// <summary>The event's <c>detail-type</c>.</summary>
    public const string DetailType = "Circuit State Changed";

    /// <summary>The JSON pattern that matches exactly the state-change events.</summary>
    public static string EventPattern { get; } = EventPatterns.SourceAndDetailType(Source, DetailType);
}
