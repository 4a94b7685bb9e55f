using System.Text.Json;

namespace CircuitBreaker.Functions.Recorder;

/// <summary>
/// What can still be told of an event the recorder refused: its top-level <c>id</c> and its <c>detail.serviceId</c>,
/// when each is a string, read as far as the JSON goes. A rejection names them when it can, so that the event can be
/// found; a field of the wrong type or JSON that breaks off just leaves them unknown.
/// </summary>
internal static class RejectedEventIdentity
{
    /// <summary>The event's id and service id as far as <paramref name="payload"/> tells them; null where it does not.</summary>
    public static (string? EventId, string? ServiceId) Peek(ReadOnlyMemory<byte> payload)
    {
        string? eventId = null;
        string? serviceId = null;
        var reader = new Utf8JsonReader(payload.Span);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return (null, null);
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                reader.Read();
                if (name == "id" && reader.TokenType == JsonTokenType.String)
                {
                    eventId = reader.GetString();
                }
                else if (name == "detail" && reader.TokenType == JsonTokenType.StartObject)
                {
                    serviceId = ServiceIdOf(ref reader) ?? serviceId;
                }
                else
                {
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            // Broken JSON: what was read before the break is all there is.
        }

        return (eventId, serviceId);
    }

    // Reads the detail object through its end; the reader starts on its StartObject.
    private static string? ServiceIdOf(ref Utf8JsonReader reader)
    {
        string? serviceId = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString();
            reader.Read();
            if (name == "serviceId" && reader.TokenType == JsonTokenType.String)
            {
                serviceId = reader.GetString();
            }
            else
            {
                reader.Skip();
            }
        }

        return serviceId;
    }
}
