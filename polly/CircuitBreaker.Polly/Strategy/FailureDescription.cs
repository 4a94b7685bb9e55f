using System.Net;
using CircuitBreaker.Contract;
using Polly;
using Polly.Timeout;

namespace CircuitBreaker.Polly.Strategy;

/// <summary>Names the reason (one of <see cref="FailureReasons"/>) and status code of a failed outcome, for its failure event.</summary>
internal static class FailureDescription
{
    /// <summary>The reason and, for an HTTP answer, its status code.</summary>
    public static (string Reason, int? StatusCode) Of<TResult>(Outcome<TResult> outcome) => outcome.Exception switch
    {
        null when outcome.Result is HttpResponseMessage response => (FailureReasons.ServerError, (int)response.StatusCode),

        // A handled result is an answer the caller judged bad: the nearest of the recorder's reasons.
        null => (FailureReasons.ServerError, null),
        TimeoutRejectedException or TimeoutException => (FailureReasons.Timeout, null),

        // Only ShouldHandle can make a cancellation a failure; the caller's own cancellation never reaches here,
        // so it is a timeout of some inner token (HttpClient.Timeout surfaces as TaskCanceledException).
        OperationCanceledException => (FailureReasons.Timeout, null),
        HttpRequestException { StatusCode: { } status } when (int)status >= (int)HttpStatusCode.InternalServerError => (FailureReasons.ServerError, (int)status),

        HttpRequestException or System.Net.Sockets.SocketException or System.IO.IOException => (FailureReasons.ConnectionError, null),

        // Anything else the caller's code threw: the generic reason the recorder counts like the others.
        _ => (FailureReasons.Exception, null),
    };
}
