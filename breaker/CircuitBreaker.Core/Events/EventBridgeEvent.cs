using System.Text.Json.Serialization;
using CircuitBreaker.Contract;

namespace CircuitBreaker.Core.Events;

/// <summary>The envelope EventBridge invokes a target with, carrying a failure as its detail.</summary>
internal sealed record FailureEventEnvelope
{
    /// <summary>The event's id, assigned by EventBridge and kept across retries: the idempotency key.</summary>
    [JsonPropertyName("id")] public string? Id { get; init; }

    /// <summary>The event's source.</summary>
    [JsonPropertyName("source")] public string? Source { get; init; }

    /// <summary>The event's detail-type.</summary>
    [JsonPropertyName("detail-type")] public string? DetailType { get; init; }

    /// <summary>When EventBridge received the event.</summary>
    [JsonPropertyName("time")] public DateTimeOffset? Time { get; init; }

    /// <summary>The failure.</summary>
    [JsonPropertyName("detail")] public FailureEventDetail? Detail { get; init; }
}

/// <summary>The recorder's answer to one event, for the invocation's record.</summary>
/// <param name="EventId">The event recorded.</param>
/// <param name="Stored">False for a redelivery.</param>
/// <param name="FailuresInWindow">Failures counted, capped at the threshold; null when not counted.</param>
/// <param name="Opened">True when this event opened the circuit.</param>
internal sealed record RecorderResponse(
    [property: JsonPropertyName("eventId")] string EventId,
    [property: JsonPropertyName("stored")] bool Stored,
    [property: JsonPropertyName("failuresInWindow")] int? FailuresInWindow,
    [property: JsonPropertyName("opened")] bool Opened);

/// <summary>Source-generated JSON metadata for the recorder's payloads.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(FailureEventEnvelope))]
[JsonSerializable(typeof(RecorderResponse))]
internal sealed partial class EventJsonContext : JsonSerializerContext;
