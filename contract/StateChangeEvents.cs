using System.Text.Json;

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

/// <summary>Builds the small event patterns the project's rules use.</summary>
public static class EventPatterns
{
    /// <summary>A pattern matching events with exactly this source and detail-type.</summary>
    public static string SourceAndDetailType(string source, string detailType)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("source");
            writer.WriteStringValue(source);
            writer.WriteEndArray();
            writer.WriteStartArray("detail-type");
            writer.WriteStringValue(detailType);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
