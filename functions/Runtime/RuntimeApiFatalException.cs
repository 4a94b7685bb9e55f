namespace CircuitBreaker.Functions.Runtime;

/// <summary>
/// The Runtime API answered 500: the spec calls this a non-recoverable container error after which the
/// runtime must exit promptly. Nothing in the runtime catches it; the entry point lets the process end.
/// </summary>
internal sealed class RuntimeApiFatalException(string operation, string? errorType, string errorMessage)
    : Exception($"The Runtime API answered 500 to {operation} (container error, the runtime must exit): {errorType ?? "no error type"}: {errorMessage}")
{
    /// <summary>The request that got the 500, e.g. <c>GET next</c>.</summary>
    public string Operation { get; } = operation;
}
