using System.Text.Json.Serialization;

namespace CircuitBreaker.Functions.Webservice.Http;

/// <summary>An RFC 9457 problem details body, with the breaker's extension members.</summary>
internal sealed record ProblemDetails
{
    /// <summary>The media type of a problem body.</summary>
    public const string MediaType = "application/problem+json";

    /// <summary>A URI naming the kind of problem; see <see cref="ProblemTypes"/>.</summary>
    [JsonPropertyName("type")] public required string Type { get; init; }

    /// <summary>A short, human-readable summary of the kind of problem.</summary>
    [JsonPropertyName("title")] public required string Title { get; init; }

    /// <summary>The HTTP status, repeated for consumers that only see the body.</summary>
    [JsonPropertyName("status")] public required int Status { get; init; }

    /// <summary>What happened to this request.</summary>
    [JsonPropertyName("detail")] public string? Detail { get; init; }

    /// <summary>The request this problem occurred in.</summary>
    [JsonPropertyName("instance")] public string? Instance { get; init; }

    /// <summary>Extension: the circuit's key.</summary>
    [JsonPropertyName("serviceId")] public string? ServiceId { get; init; }

    /// <summary>Extension: the circuit's state as this request saw it.</summary>
    [JsonPropertyName("circuitState")] public string? CircuitState { get; init; }

    /// <summary>Extension: seconds until a retry may succeed, as in <c>Retry-After</c>.</summary>
    [JsonPropertyName("retryAfterSeconds")] public int? RetryAfterSeconds { get; init; }

    /// <summary>Extension: the id of a request stored by <c>whenOpen: defer</c> (as in <c>Circuit-Breaker-Deferred-Id</c>).</summary>
    [JsonPropertyName("deferredId")] public string? DeferredId { get; init; }
}

/// <summary>The problem types the webservice answers with (URNs: stable names that need no hosting).</summary>
internal static class ProblemTypes
{
    /// <summary>503: the circuit is open or a probe is running.</summary>
    public const string CircuitOpen = "urn:circuit-breaker:problem:circuit-open";

    /// <summary>202: the circuit is open and the request was stored, to be replayed once it closes (<c>whenOpen: defer</c>).</summary>
    public const string Deferred = "urn:circuit-breaker:problem:deferred";

    /// <summary>503: an operator isolated the circuit; it stays open until released.</summary>
    public const string CircuitIsolated = "urn:circuit-breaker:problem:circuit-isolated";

    /// <summary>504: the downstream did not answer within the timeout.</summary>
    public const string DownstreamTimeout = "urn:circuit-breaker:problem:downstream-timeout";

    /// <summary>502: the downstream could not be reached or answered with a 5xx.</summary>
    public const string DownstreamFailed = "urn:circuit-breaker:problem:downstream-failed";

    /// <summary>502: the downstream answered with more than the webservice relays.</summary>
    public const string DownstreamResponseTooLarge = "urn:circuit-breaker:problem:downstream-response-too-large";

    /// <summary>503: the breaker's store is unreachable and the breaker fails closed.</summary>
    public const string BreakerUnavailable = "urn:circuit-breaker:problem:breaker-unavailable";

    /// <summary>503: too little of the invocation's time was left to call the downstream.</summary>
    public const string NoTimeLeft = "urn:circuit-breaker:problem:no-time-left";

    /// <summary>400: the request cannot be relayed as sent (its method is not an HTTP token).</summary>
    public const string BadRequest = "urn:circuit-breaker:problem:bad-request";

    /// <summary>400: the path could leave the downstream's base path in some spelling, or is malformed.</summary>
    public const string PathRefused = "urn:circuit-breaker:problem:path-refused";

    /// <summary>404: no route's prefix covers the path.</summary>
    public const string NoRoute = "urn:circuit-breaker:problem:no-route";

    /// <summary>501: a method the relay does not forward (CONNECT).</summary>
    public const string MethodNotRelayed = "urn:circuit-breaker:problem:method-not-relayed";
}
