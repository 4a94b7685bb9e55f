using System.Text.Json.Serialization;

namespace CircuitBreaker.Aws.EventBridge;

/// <summary>The body of an EventBridge <c>PutEvents</c> call (JSON 1.1 protocol, <c>AWSEvents.PutEvents</c>).</summary>
/// <param name="Entries">The events to put; this client always sends one.</param>
internal sealed record PutEventsRequest(
    [property: JsonPropertyName("Entries")] IReadOnlyList<PutEventsRequestEntry> Entries);

/// <summary>One event of a <see cref="PutEventsRequest"/>.</summary>
/// <param name="Source">The event's <c>source</c>.</param>
/// <param name="DetailType">The event's <c>detail-type</c>.</param>
/// <param name="Detail">The event's <c>detail</c>: a JSON object serialized into a string, as the API requires.</param>
/// <param name="EventBusName">The bus's name or ARN.</param>
/// <param name="Time">
/// The event's time as epoch seconds (the JSON protocol's timestamp form); EventBridge uses the
/// time of the call when absent.
/// </param>
/// <param name="Resources">ARNs the event concerns; omitted when null.</param>
internal sealed record PutEventsRequestEntry(
    [property: JsonPropertyName("Source")] string Source,
    [property: JsonPropertyName("DetailType")] string DetailType,
    [property: JsonPropertyName("Detail")] string Detail,
    [property: JsonPropertyName("EventBusName")] string EventBusName,
    [property: JsonPropertyName("Time")] double? Time = null,
    [property: JsonPropertyName("Resources")] IReadOnlyList<string>? Resources = null);

/// <summary>The answer to a <c>PutEvents</c> call that EventBridge accepted (HTTP 200).</summary>
/// <param name="FailedEntryCount">How many entries were not put; a 200 does not mean every entry was.</param>
/// <param name="Entries">One result per request entry, in request order.</param>
internal sealed record PutEventsResponse(
    [property: JsonPropertyName("FailedEntryCount")] int FailedEntryCount,
    [property: JsonPropertyName("Entries")] IReadOnlyList<PutEventsResultEntry>? Entries);

/// <summary>The result for one entry: an event id when put, otherwise an error code and message.</summary>
/// <param name="EventId">The id EventBridge gave the event.</param>
/// <param name="ErrorCode">Why the entry failed, e.g. <c>ThrottlingException</c> or <c>InternalFailure</c>.</param>
/// <param name="ErrorMessage">The failure's description.</param>
internal sealed record PutEventsResultEntry(
    [property: JsonPropertyName("EventId")] string? EventId,
    [property: JsonPropertyName("ErrorCode")] string? ErrorCode,
    [property: JsonPropertyName("ErrorMessage")] string? ErrorMessage);

/// <summary>
/// The body of a JSON 1.1 error answer (4xx/5xx). <c>__type</c> may carry a namespace prefix
/// (<c>com.amazonaws.events#ThrottlingException</c>); services spell the message both
/// <c>message</c> and <c>Message</c>.
/// </summary>
/// <param name="Type">The error's type.</param>
/// <param name="LowerCaseMessage">The message, as most services spell it.</param>
/// <param name="UpperCaseMessage">The message, as some services spell it.</param>
internal sealed record AwsJsonError(
    [property: JsonPropertyName("__type")] string? Type,
    [property: JsonPropertyName("message")] string? LowerCaseMessage,
    [property: JsonPropertyName("Message")] string? UpperCaseMessage)
{
    /// <summary>The error code without its namespace prefix.</summary>
    [JsonIgnore]
    public string? Code => Type is null ? null : Type[(Type.LastIndexOf('#') + 1)..];

    /// <summary>Whichever spelling of the message was sent.</summary>
    [JsonIgnore]
    public string? Message => LowerCaseMessage ?? UpperCaseMessage;
}

/// <summary>Source-generated JSON metadata for the PutEvents wire messages.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PutEventsRequest))]
[JsonSerializable(typeof(PutEventsResponse))]
[JsonSerializable(typeof(AwsJsonError))]
internal sealed partial class PutEventsJsonContext : JsonSerializerContext;
