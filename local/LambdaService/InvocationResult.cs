namespace CircuitBreaker.Local.LambdaService;

/// <summary>The end of one invocation.</summary>
/// <param name="RequestId">The invocation's Lambda-Runtime-Aws-Request-Id.</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="Payload">The response, or Lambda's error document (<c>{"errorMessage":..,"errorType":..}</c>).</param>
/// <param name="ErrorType">The error's type when <paramref name="Outcome"/> is not <see cref="InvocationOutcome.Success"/>.</param>
/// <param name="Duration">From queueing to the end.</param>
/// <param name="ContentType">The Content-Type the function posted its response or error with; null when the service ended the invocation itself.</param>
internal sealed record InvocationResult(
    string RequestId,
    InvocationOutcome Outcome,
    byte[] Payload,
    string? ErrorType,
    TimeSpan Duration,
    string? ContentType = null)
{
    /// <summary>True when the function answered with a response.</summary>
    public bool IsSuccess => Outcome == InvocationOutcome.Success;
}
