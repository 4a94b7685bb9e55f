namespace CircuitBreaker.Local.LambdaService;

/// <summary>A function's counters in the local Lambda service, for the host's output.</summary>
/// <param name="Function">The function's name.</param>
/// <param name="LiveInstances">Instances running now.</param>
/// <param name="PeakInstances">Most instances that ran at once.</param>
/// <param name="StartedInstances">Instances started since the service started.</param>
/// <param name="Busy">Invocations handed to an instance and not yet answered by it.</param>
/// <param name="Queued">Invocations waiting for an instance.</param>
/// <param name="Invocations">Invocations queued since start.</param>
/// <param name="Succeeded">Invocations that ended with a response.</param>
/// <param name="Failed">Invocations that ended with a function error.</param>
/// <param name="TimedOut">Invocations that ended with "Task timed out".</param>
/// <param name="NotStarted">Invocations that no instance picked up in time.</param>
/// <param name="Polling">Requests for the next invocation waiting now (instances idle in <c>next</c>).</param>
internal sealed record FunctionStatistics(
    string Function,
    int LiveInstances,
    int PeakInstances,
    int StartedInstances,
    int Busy,
    int Queued,
    long Invocations,
    long Succeeded,
    long Failed,
    long TimedOut,
    long NotStarted,
    int Polling);
