namespace CircuitBreaker.Functions.Runtime;

/// <summary>One invocation as the Runtime API hands it out by <c>/runtime/invocation/next</c>.</summary>
/// <param name="RequestId">Lambda-Runtime-Aws-Request-Id.</param>
/// <param name="Deadline">Lambda-Runtime-Deadline-Ms: when Lambda stops the invocation.</param>
/// <param name="TraceId">Lambda-Runtime-Trace-Id, when present.</param>
/// <param name="FunctionArn">Lambda-Runtime-Invoked-Function-Arn, when present.</param>
/// <param name="Payload">The event, raw JSON bytes.</param>
internal sealed record LambdaInvocation(
    string RequestId,
    DateTimeOffset Deadline,
    string? TraceId,
    string? FunctionArn,
    ReadOnlyMemory<byte> Payload)
{
    /// <summary>Time left before Lambda's deadline, by the given clock; never negative.</summary>
    public TimeSpan RemainingTime(TimeProvider time)
    {
        var left = Deadline - time.GetUtcNow();
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }
}
