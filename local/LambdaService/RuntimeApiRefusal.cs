namespace CircuitBreaker.Local.LambdaService;

/// <summary>The Runtime API requests a function's instances make, as <see cref="RuntimeApiRefusal"/> names them.</summary>
internal enum RuntimeApiCall
{
    /// <summary><c>GET runtime/invocation/next</c>.</summary>
    Next,

    /// <summary><c>POST runtime/invocation/{id}/response</c>.</summary>
    Response,

    /// <summary><c>POST runtime/invocation/{id}/error</c>.</summary>
    Error,

    /// <summary><c>POST runtime/init/error</c>.</summary>
    InitError,
}

/// <summary>
/// Test seam: an answer the Lambda service gives one Runtime API request instead of serving it, for the refusals the
/// API's spec allows and a healthy service rarely gives (500 on <c>next</c>: the runtime must exit; 403; 413 on a
/// response with the invocation left open for the runtime's error report).
/// </summary>
/// <param name="Status">The HTTP status.</param>
/// <param name="ErrorType">The error document's <c>errorType</c>.</param>
/// <param name="ErrorMessage">The error document's <c>errorMessage</c>.</param>
internal sealed record RuntimeApiRefusal(int Status, string ErrorType, string ErrorMessage);
