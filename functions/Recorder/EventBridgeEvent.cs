using System.Text.Json.Serialization;
using CircuitBreaker.Contract;

namespace CircuitBreaker.Functions.Recorder;

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

    /// <summary>The failure, as sent: every field may be missing, to be checked before it becomes a <see cref="FailureEventDetail"/>.</summary>
    [JsonPropertyName("detail")] public FailureEventDetailAsSent? Detail { get; init; }
}

/// <summary>
/// A failure event's <c>detail</c> as the recorder reads it: the fields of <see cref="FailureEventDetail"/>, each
/// nullable so that a missing field is told apart from a zero, and the date read at any magnitude
/// (<see cref="EpochMillisecondsJsonConverter"/>) so that an absurd one is clamped rather than refused.
/// </summary>
internal sealed record FailureEventDetailAsSent
{
    /// <summary>The circuit's key.</summary>
    [JsonPropertyName("serviceId")] public string? ServiceId { get; init; }

    /// <summary>When the call failed, Unix epoch milliseconds, saturated to <see cref="long"/>.</summary>
    [JsonPropertyName("failedAtEpochMs")]
    [JsonConverter(typeof(EpochMillisecondsJsonConverter))]
    public long? FailedAtEpochMilliseconds { get; init; }

    /// <summary>One of <see cref="FailureReasons"/>.</summary>
    [JsonPropertyName("reason")] public string? Reason { get; init; }

    /// <summary>The downstream's status for a server error.</summary>
    [JsonPropertyName("statusCode")] public int? StatusCode { get; init; }

    /// <summary>The webservice invocation's request id.</summary>
    [JsonPropertyName("requestId")] public string? RequestId { get; init; }

    /// <summary>How long the failed call took.</summary>
    [JsonPropertyName("elapsedMs")] public double? ElapsedMilliseconds { get; init; }

    /// <summary>How long the downstream asked to be left alone, milliseconds; absent when it did not.</summary>
    [JsonPropertyName("retryAfterMs")] public long? RetryAfterMilliseconds { get; init; }
}

/// <summary>The recorder's answer to one event, for the invocation's record.</summary>
/// <param name="EventId">The event recorded; null for a rejected event whose id could not be read.</param>
/// <param name="Stored">False for a redelivery.</param>
/// <param name="FailuresInWindow">Failures counted, capped at the threshold; null when not counted.</param>
/// <param name="Opened">True when this event opened the circuit.</param>
/// <param name="Rejected">Why the event could not be read, when it was refused (acknowledged, nothing stored); otherwise null.</param>
internal sealed record RecorderResponse(
    [property: JsonPropertyName("eventId")] string? EventId,
    [property: JsonPropertyName("stored")] bool Stored,
    [property: JsonPropertyName("failuresInWindow")] int? FailuresInWindow,
    [property: JsonPropertyName("opened")] bool Opened,
    [property: JsonPropertyName("rejected")] string? Rejected = null);

/// <summary>Source-generated JSON metadata for the recorder's payloads.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(FailureEventEnvelope))]
[JsonSerializable(typeof(RecorderResponse))]
[JsonSerializable(typeof(List<RecorderResponse>))]
[JsonSerializable(typeof(System.Text.Json.JsonElement))]
internal sealed partial class EventJsonContext : JsonSerializerContext;
