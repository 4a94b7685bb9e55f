namespace CircuitBreaker.Functions.Runtime;

/// <summary>How a <see cref="LambdaRuntimeLoop"/> behaves beyond the Runtime API's contract.</summary>
internal sealed record RuntimeLoopOptions
{
    /// <summary>
    /// Sets <c>_X_AMZN_TRACE_ID</c> in the process environment for each invocation, as Lambda's own
    /// runtimes do. True for the real <c>bootstrap</c>; false when several loops share one process
    /// (local mode), where one process-wide variable cannot belong to each of them.
    /// </summary>
    public bool ExportTraceIdToEnvironment { get; init; } = true;

    /// <summary>First pause after a transient failure talking to the Runtime API; doubled per consecutive failure.</summary>
    public TimeSpan InitialRetryDelay { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Longest pause between attempts, so the loop is back within this long after the Runtime API is.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Attempts at posting one response or error when the connection fails. Beyond them the invocation is
    /// given up (logged); Lambda times it out.
    /// </summary>
    public int MaxPostAttempts { get; init; } = 3;
}
