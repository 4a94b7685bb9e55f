namespace CircuitBreaker.Functions.Runtime;

/// <summary>
/// <c>/runtime/invocation/next</c> answered 200 without a request id or a readable deadline. When the
/// request id is known the runtime reports the invocation as failed rather than leave it to time out.
/// </summary>
internal sealed class MalformedInvocationException(string? requestId, string message) : Exception(message)
{
    /// <summary>The invocation's request id, when the Runtime API sent one.</summary>
    public string? RequestId { get; } = requestId;
}
