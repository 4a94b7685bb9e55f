namespace CircuitBreaker.Local.LambdaService;

/// <summary>How an invocation ended, as Lambda's Invoke API would report it.</summary>
internal enum InvocationOutcome
{
    /// <summary>The function posted a response; <see cref="InvocationResult.Payload"/> is it.</summary>
    Success,

    /// <summary>The function posted an error (or failed to initialise); the payload is Lambda's error JSON.</summary>
    FunctionError,

    /// <summary>The function did not answer within its timeout ("Task timed out").</summary>
    Timeout,

    /// <summary>No instance picked the invocation up in time (none could start, or all stayed busy).</summary>
    NoInstance,
}
