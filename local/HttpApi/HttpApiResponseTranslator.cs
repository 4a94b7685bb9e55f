using System.Globalization;
using System.Text;
using System.Text.Json;
using CircuitBreaker.Local.LambdaService;

namespace CircuitBreaker.Local.HttpApi;

/// <summary>
/// Turns an invocation's end into the HTTP response, by payload format 2.0's rules: a JSON object with
/// <c>statusCode</c> is a structured response (headers, cookies → Set-Cookie, body, isBase64Encoded);
/// any other valid JSON is a 200 <c>application/json</c> body as is; anything unreadable, a function error
/// or a function timeout is API Gateway's 500; no answer in time is its 503.
/// </summary>
internal static class HttpApiResponseTranslator
{
    /// <summary>API Gateway's answer when the integration failed.</summary>
    public static GatewayHttpResponse InternalServerError { get; } = Message(500, "Internal Server Error");

    /// <summary>API Gateway's answer when the integration did not answer in time (or could not be invoked).</summary>
    public static GatewayHttpResponse ServiceUnavailable { get; } = Message(503, "Service Unavailable");

    /// <summary>API Gateway's answer to a request it cannot route (a request target without a path).</summary>
    public static GatewayHttpResponse BadRequest { get; } = Message(400, "Bad Request");

    /// <summary>API Gateway's answer to a body over the payload limit.</summary>
    public static GatewayHttpResponse RequestEntityTooLarge { get; } = Message(413, "Request Entity Too Large");

    /// <summary>The HTTP response for an invocation's result.</summary>
    public static GatewayHttpResponse Translate(InvocationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.Outcome switch
        {
            InvocationOutcome.Success => FromPayload(result.Payload),
            InvocationOutcome.NoInstance => ServiceUnavailable,
            _ => InternalServerError,
        };
    }

    /// <summary>The HTTP response for a function's response payload.</summary>
    public static GatewayHttpResponse FromPayload(byte[] payload)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(payload);
        }
        catch (JsonException)
        {
            return InternalServerError;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("statusCode", out var statusElement))
            {
                return new GatewayHttpResponse(200, [new("content-type", "application/json")], [], payload);
            }

            return Structured(root, statusElement) ?? InternalServerError;
        }
    }

    private static GatewayHttpResponse? Structured(JsonElement root, JsonElement statusElement)
    {
        int status;
        if (statusElement.ValueKind == JsonValueKind.Number && statusElement.TryGetInt32(out var number))
        {
            status = number;
        }
        else if (statusElement.ValueKind == JsonValueKind.String
            && int.TryParse(statusElement.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
        {
            status = parsed;
        }
        else
        {
            return null;
        }

        if (status is < 100 or > 599)
        {
            return null;
        }

        var headers = new List<KeyValuePair<string, string>>();
        if (root.TryGetProperty("headers", out var headerObject) && headerObject.ValueKind == JsonValueKind.Object)
        {
            foreach (var header in headerObject.EnumerateObject())
            {
                var value = Scalar(header.Value);
                if (value is null)
                {
                    return null;
                }

                headers.Add(new(header.Name, value));
            }
        }

        var cookies = new List<string>();
        if (root.TryGetProperty("cookies", out var cookieArray) && cookieArray.ValueKind == JsonValueKind.Array)
        {
            foreach (var cookie in cookieArray.EnumerateArray())
            {
                if (cookie.ValueKind != JsonValueKind.String)
                {
                    return null;
                }

                cookies.Add(cookie.GetString()!);
            }
        }

        var body = root.TryGetProperty("body", out var bodyElement) && bodyElement.ValueKind == JsonValueKind.String
            ? bodyElement.GetString()!
            : string.Empty;
        var isBase64 = root.TryGetProperty("isBase64Encoded", out var flag) && flag.ValueKind == JsonValueKind.True;
        byte[] bytes;
        if (isBase64)
        {
            try
            {
                bytes = Convert.FromBase64String(body);
            }
            catch (FormatException)
            {
                return null;
            }
        }
        else
        {
            bytes = Encoding.UTF8.GetBytes(body);
        }

        return new GatewayHttpResponse(status, headers, cookies, bytes);
    }

    private static string? Scalar(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => null,
    };

    private static GatewayHttpResponse Message(int status, string message)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("message", message);
            writer.WriteEndObject();
        }

        return new GatewayHttpResponse(status, [new("content-type", "application/json")], [], buffer.ToArray());
    }
}
