using System.Text.Json.Serialization;

namespace CircuitBreaker.Functions.Webservice.Http;

/// <summary>Source-generated JSON metadata for the webservice's payloads.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(HttpApiRequest))]
[JsonSerializable(typeof(HttpApiResponse))]
[JsonSerializable(typeof(ProblemDetails))]
internal sealed partial class HttpJsonContext : JsonSerializerContext;
