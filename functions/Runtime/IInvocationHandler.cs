namespace CircuitBreaker.Functions.Runtime;

/// <summary>
/// A function's handler as the runtime loop sees it: event bytes in, response bytes out. A handler
/// that throws gets its invocation reported to <c>/runtime/invocation/{id}/error</c> and the loop goes on;
/// <see cref="InvalidEventException"/> marks an event the handler cannot read.
/// </summary>
internal interface IInvocationHandler
{
    /// <summary>Handles one invocation and returns the JSON response to post.</summary>
    Task<ReadOnlyMemory<byte>> HandleAsync(LambdaInvocation invocation, CancellationToken cancellationToken);
}

/// <summary>The event could not be read: malformed JSON or a missing field. Reported as an invocation error.</summary>
internal sealed class InvalidEventException(string message, Exception? inner = null) : Exception(message, inner);
