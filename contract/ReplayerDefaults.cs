namespace CircuitBreaker.Contract;

/// <summary>The replayer's limits where the stack and the local host must agree.</summary>
public static class ReplayerDefaults
{
    /// <summary>
    /// How long one replayer invocation may run, seconds: at the default 10 requests a second, some 2,900 requests; the
    /// replayer stops before this deadline and asks for the rest with a replay request (docs/design.md, "Deferred writes").
    /// </summary>
    public const int TimeoutSeconds = 300;
}
