using System.Net.Http.Headers;
using CircuitBreaker.Contract;

namespace CircuitBreaker.Core.Breaker;

/// <summary>
/// The one place a failure event's detail is built, for whoever reports a failure (the Polly strategy, which the
/// webservice runs too; the recorder, from an event it read), and the one reading of a downstream's <c>Retry-After</c>.
/// </summary>
public static class FailureReports
{
    // The longest wait a TimeSpan holds, in whole milliseconds: a larger Retry-After is read as this (and capped anyway).
    private static readonly long LongestMilliseconds = TimeSpan.MaxValue.Ticks / TimeSpan.TicksPerMillisecond;

    /// <summary>The detail of one failure of <paramref name="serviceId"/>'s call <paramref name="requestId"/>.</summary>
    /// <param name="serviceId">The circuit's key.</param>
    /// <param name="failedAt">When the call was judged failed.</param>
    /// <param name="reason">One of <see cref="FailureReasons"/>.</param>
    /// <param name="statusCode">The downstream's status, when it answered.</param>
    /// <param name="requestId">The call's request id.</param>
    /// <param name="elapsed">How long the call had taken.</param>
    /// <param name="retryAfter">The downstream's <c>Retry-After</c>, when it sent one.</param>
    public static FailureEventDetail Of(
        string serviceId, DateTimeOffset failedAt, string reason, int? statusCode, string requestId, TimeSpan elapsed, TimeSpan? retryAfter = null) =>
        AsSent(
            serviceId,
            failedAt.ToUnixTimeMilliseconds(),
            reason,
            statusCode,
            requestId,
            Math.Round(elapsed.TotalMilliseconds, 1),
            retryAfter is { } wait && wait > TimeSpan.Zero ? (long)Math.Min(Math.Ceiling(wait.TotalMilliseconds), LongestMilliseconds) : null);

    /// <summary>The detail of one failure as an event carried it, its fields already checked (the recorder's reading).</summary>
    /// <param name="serviceId">The circuit's key.</param>
    /// <param name="failedAtEpochMilliseconds">When the call was judged failed, any value (the recorder clamps it).</param>
    /// <param name="reason">One of <see cref="FailureReasons"/>.</param>
    /// <param name="statusCode">The downstream's status, when it answered.</param>
    /// <param name="requestId">The call's request id.</param>
    /// <param name="elapsedMilliseconds">How long the call had taken.</param>
    /// <param name="retryAfterMilliseconds">The downstream's <c>Retry-After</c>, when it sent one.</param>
    public static FailureEventDetail AsSent(
        string serviceId, long failedAtEpochMilliseconds, string reason, int? statusCode, string requestId, double elapsedMilliseconds, long? retryAfterMilliseconds) =>
        new(serviceId, failedAtEpochMilliseconds, reason, statusCode, requestId, elapsedMilliseconds, retryAfterMilliseconds);

    /// <summary>The <c>Retry-After</c> a failure carries, or null.</summary>
    public static TimeSpan? RetryAfter(this FailureEventDetail failure) => failure.RetryAfterMilliseconds switch
    {
        null or <= 0 => null,
        { } ms when ms >= LongestMilliseconds => TimeSpan.MaxValue,
        { } ms => TimeSpan.FromMilliseconds(ms),
    };

    /// <summary>
    /// How long a downstream that answered <paramref name="statusCode"/> asked to be left alone: its <c>Retry-After</c>
    /// (RFC 9110 §10.2.3: seconds, or an HTTP date, counted from <paramref name="now"/>), on a 429 or a 503 only, since
    /// those are the answers the header means "come back later" on. Null for none, an unreadable one, or one already past.
    /// </summary>
    /// <param name="statusCode">The answer's status.</param>
    /// <param name="header">The answer's parsed header (<c>HttpResponseHeaders.RetryAfter</c>), or null.</param>
    /// <param name="now">The time the answer arrived.</param>
    public static TimeSpan? RetryAfterOf(int statusCode, RetryConditionHeaderValue? header, DateTimeOffset now)
    {
        if (statusCode is not (429 or 503) || header is null)
        {
            return null;
        }

        var wait = header.Delta ?? (header.Date is { } date ? date - now : null);
        return wait > TimeSpan.Zero ? wait : null;
    }
}
