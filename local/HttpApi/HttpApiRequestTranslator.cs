using System.Globalization;
using System.Text;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace CircuitBreaker.Local.HttpApi;

/// <summary>
/// Builds the payload-format-2.0 event from an HTTP request as API Gateway does: header names lower-cased and
/// repeated values comma-joined, the Cookie header moved to <c>cookies</c>, repeated query parameters
/// comma-joined, and the body base64-encoded unless its content type is text and the bytes are UTF-8.
/// </summary>
internal static class HttpApiRequestTranslator
{
    /// <summary>
    /// The event for <paramref name="context"/>'s request with the already-read <paramref name="body"/>, or null when the
    /// request target has no path to give as <c>rawPath</c> (<c>OPTIONS *</c>, <c>CONNECT host:port</c>).
    /// </summary>
    public static HttpApiRequestEvent? ToEvent(HttpContext context, byte[] body, string requestId, DateTimeOffset now, HttpApiGatewayOptions options)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(body);
        var request = context.Request;

        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        List<string>? cookies = null;
        foreach (var header in request.Headers)
        {
            var name = header.Key.ToLowerInvariant();
            if (name == "cookie")
            {
                cookies ??= [];
                cookies.AddRange(header.Value
                    .SelectMany(value => (value ?? string.Empty).Split(';'))
                    .Select(cookie => cookie.Trim())
                    .Where(cookie => cookie.Length > 0));
                continue;
            }

            headers[name] = string.Join(',', header.Value.Where(value => value is not null));
        }

        var rawPath = RequestTarget.RawPath(context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? (request.PathBase + request.Path).ToString());
        if (rawPath is null)
        {
            return null;
        }

        var rawQuery = request.QueryString.HasValue ? request.QueryString.Value![1..] : string.Empty;

        Dictionary<string, string>? query = null;
        if (request.Query.Count > 0)
        {
            query = request.Query.ToDictionary(pair => pair.Key, pair => string.Join(',', pair.Value.Where(v => v is not null)), StringComparer.Ordinal);
        }

        var host = request.Host.Host;
        var http = new GatewayRequestHttp(
            request.Method,
            rawPath,
            request.Protocol,
            SourceIp(context),
            request.Headers.UserAgent.ToString());
        var requestContext = new GatewayRequestContext(
            options.AccountId,
            options.ApiId,
            host,
            host.Split('.')[0],
            http,
            requestId,
            "$default",
            "$default",
            now.UtcDateTime.ToString("dd/MMM/yyyy:HH:mm:ss +0000", CultureInfo.InvariantCulture),
            now.ToUnixTimeMilliseconds());

        string? bodyText = null;
        var isBase64 = false;
        if (body.Length > 0)
        {
            // Text goes as text only when it is UTF-8: the event is JSON, and any other bytes would come out of a
            // string as U+FFFD. Base64 keeps every byte, whatever the content type claims.
            isBase64 = !IsText(request.ContentType) || !Utf8.IsValid(body);
            bodyText = isBase64 ? Convert.ToBase64String(body) : Encoding.UTF8.GetString(body);
        }

        return new HttpApiRequestEvent("2.0", "$default", rawPath, rawQuery, cookies, headers, query, requestContext, bodyText, isBase64);
    }

    /// <summary>Whether API Gateway passes a body of this content type as text rather than base64.</summary>
    public static bool IsText(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType) || !MediaTypeHeaderValue.TryParse(contentType, out var parsed))
        {
            return false;
        }

        var media = parsed.MediaType.Value?.ToLowerInvariant() ?? string.Empty;
        return media.StartsWith("text/", StringComparison.Ordinal)
            || media is "application/json" or "application/xml" or "application/javascript" or "application/ecmascript"
            || media.EndsWith("+json", StringComparison.Ordinal)
            || media.EndsWith("+xml", StringComparison.Ordinal);
    }

    private static string SourceIp(HttpContext context)
    {
        var address = context.Connection.RemoteIpAddress;
        if (address is null)
        {
            return "127.0.0.1";
        }

        return (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
    }
}
