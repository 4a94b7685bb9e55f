namespace CircuitBreaker.Functions.Runtime;

/// <summary>The handler was still running at the invocation's deadline and gave up when its token was cancelled.</summary>
internal sealed class InvocationDeadlineExceededException(DateTimeOffset deadline, Exception cancellation)
    : Exception($"The handler did not finish before the invocation's deadline ({deadline.UtcDateTime:O}).", cancellation)
{
    /// <summary>The deadline Lambda gave.</summary>
    public DateTimeOffset Deadline { get; } = deadline;
}
