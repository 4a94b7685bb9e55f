using System.Text.Json;

namespace CircuitBreaker.Contract;

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

    /// <summary>
    /// The replayer's rule: state changes to <c>closed</c> and replay requests (<see cref="DeferredReplays"/>), both
    /// from the breaker's source and both with <c>detail.to</c> = <c>closed</c>. A rule matches a detail field by its
    /// exact value, as EventBridge's content filtering describes
    /// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html).
    /// </summary>
    public static string ReplayOnClose { get; } = SourceDetailTypesAndDetail(
        StateChangeEvents.Source, [StateChangeEvents.DetailType, DeferredReplays.DetailType], "to", CircuitStateNames.Closed);

    /// <summary>A pattern matching events with this source, one of these detail-types and a detail field of this exact value.</summary>
    public static string SourceDetailTypesAndDetail(string source, IReadOnlyList<string> detailTypes, string detailField, string value)
    {
        ArgumentNullException.ThrowIfNull(detailTypes);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("source");
            writer.WriteStringValue(source);
            writer.WriteEndArray();
            writer.WriteStartArray("detail-type");
            foreach (var detailType in detailTypes)
            {
                writer.WriteStringValue(detailType);
            }

            writer.WriteEndArray();
            writer.WriteStartObject("detail");
            writer.WriteStartArray(detailField);
            writer.WriteStringValue(value);
            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
