using System.Text.Json.Serialization;

namespace CircuitBreaker.Contract;

/// <summary>The <c>detail</c> of a <see cref="StateChangeEvents"/> event: one transition of one circuit.</summary>
/// <param name="ServiceId">The circuit's key.</param>
/// <param name="From">The state before, one of <see cref="CircuitStateNames"/>.</param>
/// <param name="To">The state after, one of <see cref="CircuitStateNames"/>.</param>
/// <param name="Reason">Why, in words, e.g. "3 failures within 60 s" or "probe failed".</param>
/// <param name="Time">When the transition happened, UTC, ISO 8601.</param>
/// <param name="OpenUntil">Until when the circuit fails fast, when <paramref name="To"/> is open.</param>
/// <param name="RequestId">The invocation (or the operator's tool run) that made the transition.</param>
public sealed record CircuitStateChangeDetail(
    [property: JsonPropertyName("serviceId")] string ServiceId,
    [property: JsonPropertyName("from")] string From,
    [property: JsonPropertyName("to")] string To,
    [property: JsonPropertyName("reason")] string Reason,
    [property: JsonPropertyName("time")] DateTimeOffset Time,
    [property: JsonPropertyName("openUntil")] DateTimeOffset? OpenUntil,
    [property: JsonPropertyName("requestId")] string? RequestId);
