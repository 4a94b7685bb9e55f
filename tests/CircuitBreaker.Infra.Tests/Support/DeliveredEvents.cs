using System.Text.Json;

namespace CircuitBreaker.Infra.Tests.Support;

/// <summary>Events as EventBridge hands them to a rule's pattern.</summary>
internal static class DeliveredEvents
{
    /// <summary>A PutEvents entry as EventBridge delivers it to a rule: the envelope around the detail.</summary>
    public static string As(string source, string detailType, string detailJson)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("version", "0");
            writer.WriteString("id", "6a7e8feb-b491-4cf7-a9f1-bf3703467718");
            writer.WriteString("detail-type", detailType);
            writer.WriteString("source", source);
            writer.WriteString("account", CircuitBreakerMocks.AccountId);
            writer.WriteString("time", "2025-11-24T12:00:00Z");
            writer.WriteString("region", CircuitBreakerMocks.Region);
            writer.WriteStartArray("resources");
            writer.WriteEndArray();
            writer.WritePropertyName("detail");
            writer.WriteRawValue(detailJson);
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
