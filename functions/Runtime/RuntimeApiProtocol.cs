namespace CircuitBreaker.Functions.Runtime;

/// <summary>
/// The names the Lambda Runtime API (version 2018-06-01) defines on the wire, written once for both of its
/// sides in this repository: the functions' client and the local host's Lambda service (and the tests'
/// stand-in for it).
/// </summary>
internal static class RuntimeApiProtocol
{
    /// <summary>The API version, the first path segment after any prefix.</summary>
    public const string Version = "2018-06-01";

    /// <summary>The long-poll for the next invocation (<c>GET</c>), relative to the versioned base.</summary>
    public const string NextPath = "runtime/invocation/next";

    /// <summary>The report of a failed start (<c>POST</c>), relative to the versioned base.</summary>
    public const string InitErrorPath = "runtime/init/error";

    /// <summary>An invocation's response (<c>POST</c>), relative to the versioned base.</summary>
    /// <param name="requestId">The id as it goes on the wire: escaped by a client, a route parameter such as <c>{id}</c> in a server.</param>
    public static string ResponsePath(string requestId) => $"runtime/invocation/{requestId}/response";

    /// <summary>An invocation's failure (<c>POST</c>), relative to the versioned base.</summary>
    /// <param name="requestId">The id as it goes on the wire: escaped by a client, a route parameter such as <c>{id}</c> in a server.</param>
    public static string InvocationErrorPath(string requestId) => $"runtime/invocation/{requestId}/error";

    /// <summary>The invocation's id, on <c>next</c>'s response.</summary>
    public const string RequestIdHeader = "Lambda-Runtime-Aws-Request-Id";

    /// <summary>When Lambda stops the invocation, milliseconds since the Unix epoch, on <c>next</c>'s response.</summary>
    public const string DeadlineHeader = "Lambda-Runtime-Deadline-Ms";

    /// <summary>The X-Ray trace header, on <c>next</c>'s response.</summary>
    public const string TraceIdHeader = "Lambda-Runtime-Trace-Id";

    /// <summary>The function's ARN, on <c>next</c>'s response.</summary>
    public const string FunctionArnHeader = "Lambda-Runtime-Invoked-Function-Arn";

    /// <summary>The error's category, on the error endpoints' requests.</summary>
    public const string FunctionErrorTypeHeader = "Lambda-Runtime-Function-Error-Type";
}
