using System.Text.Json.Serialization;

namespace CircuitBreaker.Contract;

/// <summary>
/// The <c>detail</c> of a failure event: which circuit failed, when, and how.
/// </summary>
/// <param name="ServiceId">The circuit's key; by default the downstream URL's host.</param>
/// <param name="FailedAtEpochMilliseconds">When the call was judged failed, Unix epoch milliseconds.</param>
/// <param name="Reason">One of <see cref="FailureReasons"/>.</param>
/// <param name="StatusCode">The downstream's status when <paramref name="Reason"/> is <see cref="FailureReasons.ServerError"/>.</param>
/// <param name="RequestId">The webservice invocation's request id, for tracing a failure to its request.</param>
/// <param name="ElapsedMilliseconds">How long the failed call took.</param>
public sealed record FailureEventDetail(
    [property: JsonPropertyName("serviceId")] string ServiceId,
    [property: JsonPropertyName("failedAtEpochMs")] long FailedAtEpochMilliseconds,
    [property: JsonPropertyName("reason")] string Reason,
    [property: JsonPropertyName("statusCode")] int? StatusCode,
    [property: JsonPropertyName("requestId")] string RequestId,
    [property: JsonPropertyName("elapsedMs")] double ElapsedMilliseconds);

/// <summary>Values of <see cref="FailureEventDetail.Reason"/>.</summary>
public static class FailureReasons
{
    /// <summary>The downstream did not answer within the timeout.</summary>
    public const string Timeout = "timeout";

    /// <summary>The connection could not be made or broke.</summary>
    public const string ConnectionError = "connection-error";

    /// <summary>The downstream answered with a 5xx status.</summary>
    public const string ServerError = "server-error";

    /// <summary>The call was still pending after <see cref="CircuitSettingKeys.SlowCallSeconds"/>; published then, not again when it ends.</summary>
    public const string Slow = "slow";

    /// <summary>
    /// The call threw an exception that says nothing more specific (from the Polly library, whose callers call
    /// anything, not only HTTP). Counted like every other reason.
    /// </summary>
    public const string Exception = "exception";

    /// <summary>True when <paramref name="reason"/> is one of the reasons above: the recorder refuses any other.</summary>
    public static bool IsKnown(string? reason) => reason is Timeout or ConnectionError or ServerError or Slow or Exception;
}

/// <summary>Source-generated JSON metadata for the contract's types (Native AOT has no reflection-based serializer).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(FailureEventDetail))]
[JsonSerializable(typeof(CircuitStateChangeDetail))]
public sealed partial class ContractJsonContext : JsonSerializerContext;
