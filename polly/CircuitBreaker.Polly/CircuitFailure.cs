using CircuitBreaker.Contract;
using CircuitBreaker.Core.Breaker;
using Polly;
using Polly.Timeout;

namespace CircuitBreaker.Polly;

/// <summary>
/// What the failure event of a failed call says: its reason (one of <see cref="FailureReasons"/>), the dependency's
/// status code when it answered, and how long it asked to be left alone (<c>Retry-After</c> on a 429 or a 503), which
/// keeps the circuit open at least that long when this failure opens it or fails its probe (up to
/// <see cref="DistributedCircuitBreakerSettings.MaxRetryAfter"/> on this side, the stack's <c>maxRetryAfterSeconds</c>
/// on the recorder's).
/// </summary>
/// <param name="Reason">One of <see cref="FailureReasons"/>; the recorder refuses any other.</param>
/// <param name="StatusCode">The dependency's status code, when it answered.</param>
/// <param name="RetryAfter">How long the dependency asked to be left alone, when it did.</param>
public readonly record struct CircuitFailure(string Reason, int? StatusCode = null, TimeSpan? RetryAfter = null)
{
    /// <summary>
    /// The default description of a failed outcome, which <see cref="DistributedCircuitBreakerStrategyOptions{TResult}.DescribeFailure"/>
    /// replaces: an <see cref="HttpResponseMessage"/> by its status (<see cref="FailureReasons.ForStatusCode"/>: 429
    /// <c>client-overload</c>, 408 <c>request-timeout</c>, 5xx <c>server-error</c>) and its <c>Retry-After</c>; a timeout
    /// (Polly's <see cref="TimeoutRejectedException"/>, <see cref="TimeoutException"/>, a cancellation that is not the
    /// caller's) <c>timeout</c>; an <see cref="HttpRequestException"/> with a status by that status, without one (like a
    /// socket or I/O error) <c>connection-error</c>; any other exception <c>exception</c>; any other result the caller
    /// judged failed <c>server-error</c>.
    /// </summary>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="outcome">The failed outcome.</param>
    /// <param name="now">The time the outcome arrived, from which a <c>Retry-After</c> date is counted.</param>
    public static CircuitFailure Of<TResult>(Outcome<TResult> outcome, DateTimeOffset now) => outcome.Exception switch
    {
        null when outcome.Result is HttpResponseMessage response => OfStatus((int)response.StatusCode, FailureReports.RetryAfterOf((int)response.StatusCode, response.Headers.RetryAfter, now)),

        // A handled result is an answer the caller judged bad: the nearest of the recorder's reasons.
        null => new CircuitFailure(FailureReasons.ServerError),
        TimeoutRejectedException or TimeoutException => new CircuitFailure(FailureReasons.Timeout),

        // Only ShouldHandle can make a cancellation a failure; the caller's own cancellation never reaches here,
        // so it is a timeout of some inner token (HttpClient.Timeout surfaces as TaskCanceledException).
        OperationCanceledException => new CircuitFailure(FailureReasons.Timeout),
        HttpRequestException { StatusCode: { } status } => OfStatus((int)status, retryAfter: null),
        HttpRequestException or System.Net.Sockets.SocketException or IOException => new CircuitFailure(FailureReasons.ConnectionError),

        // Anything else the caller's code threw: the generic reason the recorder counts like the others.
        _ => new CircuitFailure(FailureReasons.Exception),
    };

    /// <summary>An answer with <paramref name="statusCode"/> that counts as a failure, with the dependency's <paramref name="retryAfter"/>.</summary>
    /// <param name="statusCode">The answer's status code.</param>
    /// <param name="retryAfter">How long the dependency asked to be left alone, or null.</param>
    public static CircuitFailure OfStatus(int statusCode, TimeSpan? retryAfter) =>
        new(FailureReasons.ForStatusCode(statusCode), statusCode, retryAfter);

    /// <summary>
    /// True when <paramref name="response"/>'s status is one of <paramref name="failureStatusCodes"/>: by default every
    /// 5xx, 408 and 429, the transient answers Microsoft.Extensions.Http.Resilience's standard handler retries and breaks on.
    /// </summary>
    /// <param name="response">The answer.</param>
    /// <param name="failureStatusCodes">The status codes that count as failures.</param>
    public static bool IsFailure(HttpResponseMessage response, StatusCodeRanges failureStatusCodes)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(failureStatusCodes);
        return failureStatusCodes.Contains((int)response.StatusCode);
    }
}
