using CircuitBreaker.Local.LambdaService;

namespace CircuitBreaker.Local.HttpApi;

/// <summary>One request through the gateway, for the host's one-line-per-request output.</summary>
/// <param name="RequestId">The gateway's request id (also the apigw-requestid response header).</param>
/// <param name="Method">The HTTP method.</param>
/// <param name="Path">The raw path.</param>
/// <param name="StatusCode">The status sent to the client; 499 when the client went away first.</param>
/// <param name="Elapsed">From receiving the request to sending the response.</param>
/// <param name="Outcome">How the invocation ended; null when the function was not invoked (e.g. 413).</param>
internal sealed record HttpApiRequestSummary(string RequestId, string Method, string Path, int StatusCode, TimeSpan Elapsed, InvocationOutcome? Outcome);
