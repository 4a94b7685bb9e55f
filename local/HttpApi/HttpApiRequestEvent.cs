using System.Text.Json.Serialization;

namespace CircuitBreaker.Local.HttpApi;

/// <summary>The request event of API Gateway HTTP API's Lambda integration, payload format 2.0.</summary>
internal sealed record HttpApiRequestEvent(
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("routeKey")] string RouteKey,
    [property: JsonPropertyName("rawPath")] string RawPath,
    [property: JsonPropertyName("rawQueryString")] string RawQueryString,
    [property: JsonPropertyName("cookies")] IReadOnlyList<string>? Cookies,
    [property: JsonPropertyName("headers")] IReadOnlyDictionary<string, string> Headers,
    [property: JsonPropertyName("queryStringParameters")] IReadOnlyDictionary<string, string>? QueryStringParameters,
    [property: JsonPropertyName("requestContext")] GatewayRequestContext RequestContext,
    [property: JsonPropertyName("body")] string? Body,
    [property: JsonPropertyName("isBase64Encoded")] bool IsBase64Encoded);

/// <summary>The <c>requestContext</c> of the event the local gateway sends (the webservice reads its own view of it, <c>HttpApiRequestContext</c>).</summary>
internal sealed record GatewayRequestContext(
    [property: JsonPropertyName("accountId")] string AccountId,
    [property: JsonPropertyName("apiId")] string ApiId,
    [property: JsonPropertyName("domainName")] string DomainName,
    [property: JsonPropertyName("domainPrefix")] string DomainPrefix,
    [property: JsonPropertyName("http")] GatewayRequestHttp Http,
    [property: JsonPropertyName("requestId")] string RequestId,
    [property: JsonPropertyName("routeKey")] string RouteKey,
    [property: JsonPropertyName("stage")] string Stage,
    [property: JsonPropertyName("time")] string Time,
    [property: JsonPropertyName("timeEpoch")] long TimeEpoch);

/// <summary>The <c>requestContext.http</c> of the event the local gateway sends.</summary>
internal sealed record GatewayRequestHttp(
    [property: JsonPropertyName("method")] string Method,
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("protocol")] string Protocol,
    [property: JsonPropertyName("sourceIp")] string SourceIp,
    [property: JsonPropertyName("userAgent")] string UserAgent);

/// <summary>Source-generated JSON for the request event.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(HttpApiRequestEvent))]
internal sealed partial class HttpApiJsonContext : JsonSerializerContext;
