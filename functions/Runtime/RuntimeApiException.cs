using System.Net;

namespace CircuitBreaker.Functions.Runtime;

/// <summary>
/// The Runtime API refused a request with a status the runtime can live with (400, 403, 413, anything
/// unexpected but 500): the request is not retried as is, the runtime carries on.
/// </summary>
internal sealed class RuntimeApiException(string operation, HttpStatusCode statusCode, string? errorType, string errorMessage)
    : Exception($"The Runtime API answered {(int)statusCode} to {operation}: {errorType ?? "no error type"}: {errorMessage}")
{
    /// <summary>The request that was refused, e.g. <c>POST response</c>.</summary>
    public string Operation { get; } = operation;

    /// <summary>The Runtime API's status code.</summary>
    public HttpStatusCode StatusCode { get; } = statusCode;

    /// <summary>The <c>errorType</c> of the Runtime API's error body, when it sent one.</summary>
    public string? ErrorType { get; } = errorType;
}
