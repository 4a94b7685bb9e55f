using System.Globalization;
using System.Text;
using System.Text.Json;
using CircuitBreaker.Contract;
using CircuitBreaker.Functions.Webservice.Downstream;
using CircuitBreaker.Polly;
using Polly.CircuitBreaker;

namespace CircuitBreaker.Functions.Webservice.Http;

/// <summary>Builds the webservice's payload 2.0 responses: the relayed downstream answer and the problem answers.</summary>
internal static class WebserviceResponses
{
    /// <summary>How logs and problem bodies name the state of a circuit whose store could not be read.</summary>
    public const string UnknownState = "unknown";

    /// <summary>The circuit's state as a request saw it (<c>closed</c>, <c>open</c>, <c>half-open</c>, <c>isolated</c>, <c>unknown</c>), as <c>CircuitStateNames</c> spell them.</summary>
    public static string StateOf(CircuitAdmission admission) => admission.Kind == CircuitAdmissionKind.Unavailable ? UnknownState : admission.State switch
    {
        CircuitState.Closed => CircuitStateNames.Closed,
        CircuitState.Open => CircuitStateNames.Open,
        CircuitState.HalfOpen => CircuitStateNames.HalfOpen,
        CircuitState.Isolated => CircuitStateNames.Isolated,
        _ => UnknownState,
    };

    /// <summary>The downstream's answer, relayed: status, kept headers, cookies, body (base64 unless text).</summary>
    public static HttpApiResponse Relay(DownstreamOutcome outcome)
    {
        var headers = outcome.Headers ?? new Dictionary<string, string>();
        var isText = IsText(headers.GetValueOrDefault("content-type")) && IsUtf8(outcome.Body.Span);
        return new HttpApiResponse
        {
            StatusCode = outcome.StatusCode ?? 200,
            Headers = headers,
            Cookies = outcome.Cookies is { Count: > 0 } cookies ? cookies : null,
            Body = isText ? Encoding.UTF8.GetString(outcome.Body.Span) : Convert.ToBase64String(outcome.Body.Span),
            IsBase64Encoded = !isText,
        };
    }

    /// <summary>503 while the circuit is open or probing (<paramref name="state"/>), with Retry-After the time until a request may succeed.</summary>
    public static HttpApiResponse CircuitOpen(string serviceId, string state, TimeSpan? retryAfterTime, string requestId)
    {
        var retryAfter = RetryAfterSeconds(retryAfterTime);
        var detail = state == CircuitStateNames.HalfOpen
            ? $"A probe is testing {serviceId}; requests fail fast until it settles."
            : $"{serviceId} failed repeatedly; requests fail fast until a probe may run.";
        return Problem(
            new ProblemDetails
            {
                Type = ProblemTypes.CircuitOpen,
                Title = "Circuit open",
                Status = 503,
                Detail = detail,
                Instance = requestId,
                ServiceId = serviceId,
                CircuitState = state,
                RetryAfterSeconds = retryAfter,
            },
            retryAfter);
    }

    /// <summary>
    /// 202 for a request <c>whenOpen: defer</c> stored while the circuit was <paramref name="state"/>: its id in
    /// <c>Circuit-Breaker-Deferred-Id</c> and in the problem body's <c>deferredId</c>.
    /// </summary>
    public static HttpApiResponse Deferred(string serviceId, string state, string deferredId, string requestId)
    {
        var response = Problem(
            new ProblemDetails
            {
                Type = ProblemTypes.Deferred,
                Title = "Request deferred",
                Status = 202,
                Detail = $"{serviceId} is not taking requests now; this one was stored and will be sent to it once its circuit closes.",
                Instance = requestId,
                ServiceId = serviceId,
                CircuitState = state,
                DeferredId = deferredId,
            },
            retryAfterSeconds: null);
        return response with
        {
            Headers = new Dictionary<string, string>(response.Headers!) { [DeferredReplays.IdHeader.ToLowerInvariant()] = deferredId },
        };
    }

    /// <summary>503 while an operator holds the circuit open: no Retry-After, since nobody knows when it is released.</summary>
    public static HttpApiResponse CircuitIsolated(string serviceId, string requestId) => Problem(
        new ProblemDetails
        {
            Type = ProblemTypes.CircuitIsolated,
            Title = "Circuit isolated",
            Status = 503,
            Detail = $"An operator isolated {serviceId}; requests fail fast until it is released.",
            Instance = requestId,
            ServiceId = serviceId,
            CircuitState = CircuitStateNames.Isolated,
        },
        retryAfterSeconds: null);

    /// <summary>504 or 502 after a failed downstream call.</summary>
    public static HttpApiResponse DownstreamFailed(string serviceId, DownstreamOutcome outcome, string state, string requestId)
    {
        var timedOut = outcome.Kind == DownstreamOutcomeKind.TimedOut;
        var detail = outcome.Kind switch
        {
            DownstreamOutcomeKind.TimedOut => $"{serviceId} did not answer within {outcome.Elapsed.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s.",
            DownstreamOutcomeKind.ServerError => $"{serviceId} answered {outcome.StatusCode}.",
            DownstreamOutcomeKind.ResponseTooLarge => $"{serviceId} answered with a body over {DownstreamClient.MaxRelayedBodyBytes} bytes, more than is relayed.",
            _ => $"{serviceId} could not be reached.",
        };
        return Problem(
            new ProblemDetails
            {
                Type = timedOut ? ProblemTypes.DownstreamTimeout
                    : outcome.Kind == DownstreamOutcomeKind.ResponseTooLarge ? ProblemTypes.DownstreamResponseTooLarge
                    : ProblemTypes.DownstreamFailed,
                Title = timedOut ? "Downstream timed out" : "Bad gateway",
                Status = timedOut ? 504 : 502,
                Detail = detail,
                Instance = requestId,
                ServiceId = serviceId,
                CircuitState = state,
            },
            retryAfterSeconds: null);
    }

    /// <summary>503 when the breaker's store is unreachable and the breaker fails closed.</summary>
    public static HttpApiResponse BreakerUnavailable(string serviceId, string requestId) => Problem(
        new ProblemDetails
        {
            Type = ProblemTypes.BreakerUnavailable,
            Title = "Circuit breaker unavailable",
            Status = 503,
            Detail = $"The circuit state of {serviceId} cannot be read and the breaker is set to fail closed.",
            Instance = requestId,
            ServiceId = serviceId,
            CircuitState = UnknownState,
            RetryAfterSeconds = 1,
        },
        retryAfterSeconds: 1);

    /// <summary>
    /// The answer to a request that is refused before the downstream is called (a 400 or a 501); <paramref name="serviceId"/>
    /// is null when the request was refused before any route, and so any circuit, was chosen.
    /// </summary>
    public static HttpApiResponse Rejected(RequestRejection rejection, string? serviceId, string requestId) => Problem(
        new ProblemDetails
        {
            Type = rejection.Type,
            Title = rejection.Title,
            Status = rejection.Status,
            Detail = rejection.Detail,
            Instance = requestId,
            ServiceId = serviceId,
        },
        retryAfterSeconds: null);

    /// <summary>404 for a path that no route serves: no circuit is involved, so the body names none.</summary>
    public static HttpApiResponse NoRoute(string requestId) => Problem(
        new ProblemDetails
        {
            Type = ProblemTypes.NoRoute,
            Title = "No route",
            Status = 404,
            Detail = "No route of this API serves the path.",
            Instance = requestId,
        },
        retryAfterSeconds: null);

    /// <summary>503 when the invocation has too little time left to call the downstream.</summary>
    public static HttpApiResponse NoTimeLeft(string serviceId, string requestId) => Problem(
        new ProblemDetails
        {
            Type = ProblemTypes.NoTimeLeft,
            Title = "No time left",
            Status = 503,
            Detail = $"Too little invocation time was left to call {serviceId}.",
            Instance = requestId,
            ServiceId = serviceId,
        },
        retryAfterSeconds: null);

    /// <summary>Whole seconds of <paramref name="retryAfter"/>, rounded up, at least 1.</summary>
    internal static int RetryAfterSeconds(TimeSpan? retryAfter) =>
        retryAfter is { } wait ? (int)Math.Clamp(Math.Ceiling(wait.TotalSeconds), 1, int.MaxValue) : 1;

    private static HttpApiResponse Problem(ProblemDetails problem, int? retryAfterSeconds)
    {
        var headers = new Dictionary<string, string> { ["content-type"] = ProblemDetails.MediaType, ["cache-control"] = "no-store" };
        if (retryAfterSeconds is { } seconds)
        {
            headers["retry-after"] = seconds.ToString(CultureInfo.InvariantCulture);
        }

        return new HttpApiResponse
        {
            StatusCode = problem.Status,
            Headers = headers,
            Body = JsonSerializer.Serialize(problem, HttpJsonContext.Default.ProblemDetails),
        };
    }

    private static bool IsText(string? contentType)
    {
        if (contentType is null)
        {
            return false;
        }

        var mediaType = contentType.Split(';')[0].Trim();
        return mediaType.StartsWith("text/", StringComparison.OrdinalIgnoreCase)
            || mediaType.EndsWith("json", StringComparison.OrdinalIgnoreCase)
            || mediaType.EndsWith("xml", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("application/javascript", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);
    }

    private static bool IsUtf8(ReadOnlySpan<byte> bytes) => System.Text.Unicode.Utf8.IsValid(bytes);
}
