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
}
