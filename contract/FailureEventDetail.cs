using System.Text.Json.Serialization;

namespace CircuitBreaker.Contract;

/// <summary>
/// The <c>detail</c> of a failure event: which circuit failed, when, and how.
/// </summary>
/// <param name="ServiceId">The circuit's key; by default the downstream URL's host.</param>
/// <param name="FailedAtEpochMilliseconds">When the call was judged failed, Unix epoch milliseconds.</param>
/// <param name="Reason">One of <see cref="FailureReasons"/>.</param>
/// <param name="StatusCode">The downstream's status when it answered (<see cref="FailureReasons.ForStatusCode"/>).</param>
/// <param name="RequestId">The webservice invocation's request id, for tracing a failure to its request.</param>
/// <param name="ElapsedMilliseconds">How long the failed call took.</param>
/// <param name="RetryAfterMilliseconds">
/// How long the downstream asked to be left alone (its <c>Retry-After</c> on a 429 or a 503), when it did: the circuit this
/// failure opens stays open at least that long, up to <see cref="CircuitSettingKeys.MaxRetryAfterSeconds"/>. Absent otherwise.
/// </param>
public sealed record FailureEventDetail(
    [property: JsonPropertyName("serviceId")] string ServiceId,
    [property: JsonPropertyName("failedAtEpochMs")] long FailedAtEpochMilliseconds,
    [property: JsonPropertyName("reason")] string Reason,
    [property: JsonPropertyName("statusCode")] int? StatusCode,
    [property: JsonPropertyName("requestId")] string RequestId,
    [property: JsonPropertyName("elapsedMs")] double ElapsedMilliseconds,
    [property: JsonPropertyName("retryAfterMs")] long? RetryAfterMilliseconds = null);
