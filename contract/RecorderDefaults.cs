namespace CircuitBreaker.Contract;

/// <summary>
/// The recorder's limits where the stack and the local host must agree: the stack's default
/// <c>recorderTimeoutSeconds</c>, and the time the local host gives the recorder per event.
/// </summary>
public static class RecorderDefaults
{
    /// <summary>
    /// How long the recorder may take per failure event, seconds: a few DynamoDB writes with their retries fit
    /// well inside it (docs/design.md, "Time budget").
    /// </summary>
    public const int TimeoutSeconds = 10;
}
