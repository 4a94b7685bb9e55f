using System.Text;
using System.Text.Json;
using CircuitBreaker.Functions.Runtime;
using CircuitBreaker.Functions.Webservice.Downstream;

namespace CircuitBreaker.Functions.Webservice.Http;

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

        // Only a missing method makes the event unusable; an odd one is the client's, and answered as such
        // by RelayRequestFactory, as is a path that is not in origin form.
        var method = request.RequestContext?.Http?.Method;
        if (string.IsNullOrEmpty(method))
        {
            throw new InvalidEventException("The event has no requestContext.http.method.");
        }

        var path = string.IsNullOrEmpty(request.RawPath) ? "/" : request.RawPath;
        var headers = request.Headers ?? new Dictionary<string, string>();
        var context = request.RequestContext;
        var downstreamRequest = new DownstreamRequest(
            method, path, request.RawQueryString ?? string.Empty, headers, Cookies(request, headers), Body(request), context?.Http?.SourceIp, context?.DomainName);
        return (downstreamRequest, context?.RequestId);
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

    // Payload 2.0 moves the client's cookies out of the headers into one entry each; an event built by hand may
    // still carry a cookie header instead.
    private static IReadOnlyList<string> Cookies(HttpApiRequest request, IReadOnlyDictionary<string, string> headers)
    {
        if (request.Cookies is { Count: > 0 } cookies)
        {
            return cookies;
        }

        var header = headers.FirstOrDefault(h => h.Key.Equals("cookie", StringComparison.OrdinalIgnoreCase)).Value;
        return string.IsNullOrEmpty(header) ? [] : [header];
    }
}
