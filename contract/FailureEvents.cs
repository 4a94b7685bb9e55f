namespace CircuitBreaker.Contract;

/// <summary>
/// The failure event the webservice puts on the bus and the rule that routes it to the recorder.
/// The rule's pattern is derived from the same constants the publisher uses, so the two cannot drift.
/// </summary>
public static class FailureEvents
{
    /// <summary>The event's <c>source</c>.</summary>
    public const string Source = "circuit-breaker.webservice";

    /// <summary>The event's <c>detail-type</c>.</summary>
    public const string DetailType = "Downstream call failed";

    /// <summary>
    /// The EventBridge rule's event pattern, as the JSON string the rule is declared with:
    /// matches exactly the events with <see cref="Source"/> and <see cref="DetailType"/>.
    /// </summary>
    public static string EventPattern { get; } = EventPatterns.SourceAndDetailType(Source, DetailType);
}
