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

/// <summary>The end of one invocation.</summary>
/// <param name="RequestId">The invocation's Lambda-Runtime-Aws-Request-Id.</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="Payload">The response, or Lambda's error document (<c>{"errorMessage":..,"errorType":..}</c>).</param>
/// <param name="ErrorType">The error's type when <paramref name="Outcome"/> is not <see cref="InvocationOutcome.Success"/>.</param>
/// <param name="Duration">From queueing to the end.</param>
internal sealed record InvocationResult(
    string RequestId,
    InvocationOutcome Outcome,
    byte[] Payload,
    string? ErrorType,
    TimeSpan Duration)
{
    /// <summary>True when the function answered with a response.</summary>
    public bool IsSuccess => Outcome == InvocationOutcome.Success;
}
