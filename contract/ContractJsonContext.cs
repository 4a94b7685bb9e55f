using System.Text.Json.Serialization;

namespace CircuitBreaker.Contract;

/// <summary>Source-generated JSON metadata for the contract's types (Native AOT has no reflection-based serializer).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(FailureEventDetail))]
[JsonSerializable(typeof(CircuitStateChangeDetail))]
[JsonSerializable(typeof(DeferredReplayDetail))]
public sealed partial class ContractJsonContext : JsonSerializerContext;
