using System.Text;
using System.Text.Json;
using CircuitBreaker.Aws.DynamoDb;
using CircuitBreaker.Core.Store;

namespace CircuitBreaker.Functions.Replayer;

/// <summary>
/// The dead-letter queue's message for a deferred request: everything needed to send it again by hand (the body in
/// base64), its attempts and its last error, as one JSON object.
/// </summary>
internal static class DeadLetterMessage
{
    /// <summary>The message body for <paramref name="request"/>.</summary>
    public static string For(DeferredRequest request, int attempts, string error)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("serviceId", request.ServiceId);
            json.WriteString("deferredId", request.Id);
            json.WriteString("arrivedAt", request.ArrivedAt);
            json.WriteNumber("attempts", attempts);
            json.WriteString("lastError", error);
            json.WriteString("method", request.Method);
            json.WriteString("pathAndQuery", request.PathAndQuery);
            json.WriteStartArray("headers");
            foreach (var (name, value) in request.Headers)
            {
                json.WriteStartArray();
                json.WriteStringValue(name);
                json.WriteStringValue(value);
                json.WriteEndArray();
            }

            json.WriteEndArray();
            if (request.Body is { } body)
            {
                json.WriteBase64String("bodyBase64", body.Span);
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
