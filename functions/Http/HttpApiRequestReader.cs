using System.Text;
using System.Text.Json;
using CircuitBreaker.Functions.Downstream;
using CircuitBreaker.Functions.Runtime;

namespace CircuitBreaker.Functions.Http;

/// <summary>Turns a payload 2.0 event into the request to relay; every problem is an <see cref="InvalidEventException"/>.</summary>
internal static class HttpApiRequestReader
{
    /// <summary>Reads and validates the event: the request to relay and API Gateway's id for it (for correlating logs).</summary>
    public static (DownstreamRequest Request, string? ApiRequestId) Read(ReadOnlyMemory<byte> payload)
    {
        HttpApiRequest? request;
        try
        {
            request = JsonSerializer.Deserialize(payload.Span, HttpJsonContext.Default.HttpApiRequest);
        }
        catch (JsonException error)
        {
            throw new InvalidEventException($"The event is not valid JSON for an HTTP API request: {error.Message}", error);
        }

        if (request is null)
        {
            throw new InvalidEventException("The event is null.");
        }

        if (request.Version != "2.0")
        {
            throw new InvalidEventException($"The event's version is '{request.Version}': expected HTTP API payload format '2.0'.");
        }

        var method = request.RequestContext?.Http?.Method;
        if (string.IsNullOrWhiteSpace(method) || !method.All(char.IsAsciiLetterUpper))
        {
            throw new InvalidEventException($"The event's requestContext.http.method '{method}' is missing or not an HTTP method.");
        }

        var path = string.IsNullOrEmpty(request.RawPath) ? "/" : request.RawPath;
        if (path[0] != '/')
        {
            throw new InvalidEventException($"The event's rawPath '{path}' does not start with '/'.");
        }

        return (new DownstreamRequest(method, path, request.RawQueryString ?? string.Empty, WithCookies(request), Body(request)), request.RequestContext?.RequestId);
    }

    private static ReadOnlyMemory<byte>? Body(HttpApiRequest request)
    {
        if (request.Body is null)
        {
            return null;
        }

        if (!request.IsBase64Encoded)
        {
            return Encoding.UTF8.GetBytes(request.Body);
        }

        try
        {
            return Convert.FromBase64String(request.Body);
        }
        catch (FormatException error)
        {
            throw new InvalidEventException("The event's body is marked base64 but is not valid base64.", error);
        }
    }

    // Payload 2.0 moves cookies out of the headers; the downstream expects them back in one header.
    private static Dictionary<string, string> WithCookies(HttpApiRequest request)
    {
        var headers = new Dictionary<string, string>(request.Headers ?? new Dictionary<string, string>(), StringComparer.OrdinalIgnoreCase);
        if (request.Cookies is { Count: > 0 } cookies)
        {
            headers["cookie"] = string.Join("; ", cookies);
        }

        return headers;
    }
}
