using System.Text.Json.Serialization;

namespace CircuitBreaker.Functions.Webservice.Http;

/// <summary>An API Gateway HTTP API request, payload format 2.0 (only the fields the webservice reads).</summary>
internal sealed record HttpApiRequest
{
    /// <summary>The payload format version; must be "2.0".</summary>
    [JsonPropertyName("version")] public string? Version { get; init; }

    /// <summary>The path as the client sent it, before any decoding by API Gateway.</summary>
    [JsonPropertyName("rawPath")] public string? RawPath { get; init; }

    /// <summary>The query string without '?'.</summary>
    [JsonPropertyName("rawQueryString")] public string? RawQueryString { get; init; }

    /// <summary>Cookies, one entry per cookie.</summary>
    [JsonPropertyName("cookies")] public IReadOnlyList<string>? Cookies { get; init; }

    /// <summary>Headers, lower-case names, repeated values comma-joined.</summary>
    [JsonPropertyName("headers")] public IReadOnlyDictionary<string, string>? Headers { get; init; }

    /// <summary>The request body, base64-encoded when <see cref="IsBase64Encoded"/>.</summary>
    [JsonPropertyName("body")] public string? Body { get; init; }

    /// <summary>Whether <see cref="Body"/> is base64.</summary>
    [JsonPropertyName("isBase64Encoded")] public bool IsBase64Encoded { get; init; }

    /// <summary>Request metadata.</summary>
    [JsonPropertyName("requestContext")] public HttpApiRequestContext? RequestContext { get; init; }
}

/// <summary>The <c>requestContext</c> of a payload 2.0 request.</summary>
internal sealed record HttpApiRequestContext
{
    /// <summary>API Gateway's id for the request.</summary>
    [JsonPropertyName("requestId")] public string? RequestId { get; init; }

    /// <summary>The domain name the client called (the API's own or a custom domain).</summary>
    [JsonPropertyName("domainName")] public string? DomainName { get; init; }

    /// <summary>The HTTP part: method, path, source IP.</summary>
    [JsonPropertyName("http")] public HttpApiRequestHttp? Http { get; init; }
}

/// <summary>The <c>requestContext.http</c> of a payload 2.0 request.</summary>
internal sealed record HttpApiRequestHttp
{
    /// <summary>The HTTP method.</summary>
    [JsonPropertyName("method")] public string? Method { get; init; }

    /// <summary>The decoded path.</summary>
    [JsonPropertyName("path")] public string? Path { get; init; }

    /// <summary>The client's address.</summary>
    [JsonPropertyName("sourceIp")] public string? SourceIp { get; init; }
}

/// <summary>An HTTP API response, payload format 2.0.</summary>
internal sealed record HttpApiResponse
{
    /// <summary>The HTTP status.</summary>
    [JsonPropertyName("statusCode")] public required int StatusCode { get; init; }

    /// <summary>Response headers; Set-Cookie goes into <see cref="Cookies"/> instead.</summary>
    [JsonPropertyName("headers")] public IReadOnlyDictionary<string, string>? Headers { get; init; }

    /// <summary>Cookies to set, one Set-Cookie value each.</summary>
    [JsonPropertyName("cookies")] public IReadOnlyList<string>? Cookies { get; init; }

    /// <summary>The body, base64-encoded when <see cref="IsBase64Encoded"/>.</summary>
    [JsonPropertyName("body")] public string? Body { get; init; }

    /// <summary>Whether <see cref="Body"/> is base64.</summary>
    [JsonPropertyName("isBase64Encoded")] public bool IsBase64Encoded { get; init; }
}
