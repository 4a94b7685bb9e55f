using System.Text.Json.Serialization;

namespace CircuitBreaker.Functions.Runtime;

/// <summary>Source-generated JSON for the Runtime API's own documents (Native AOT has no reflection-based serializer).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(LambdaErrorBody))]
[JsonSerializable(typeof(RuntimeApiErrorResponse))]
internal sealed partial class RuntimeJsonContext : JsonSerializerContext;
