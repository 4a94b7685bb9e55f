namespace CircuitBreaker.Bench.Load;

/// <summary>
/// One client request: when it was due by the schedule and when it was sent (both since the run began),
/// how long it took, and the HTTP status (0 when the client got no answer).
/// </summary>
internal readonly record struct RequestSample(TimeSpan ScheduledAt, TimeSpan SentAt, TimeSpan Latency, int Status)
{
    public TimeSpan CompletedAt => SentAt + Latency;

    public Outcome Outcome => OutcomeOf(Status);

    public static Outcome OutcomeOf(int status) => status switch
    {
        >= 200 and < 400 => Outcome.Success,
        503 => Outcome.FailedFast,
        502 or 504 => Outcome.DownstreamFailed,
        _ => Outcome.Error,
    };
}

/// <summary>How a request ended, as a client sees it.</summary>
internal enum Outcome
{
    /// <summary>The downstream's answer was relayed.</summary>
    Success,

    /// <summary>The breaker answered at once (503): the circuit was open.</summary>
    FailedFast,

    /// <summary>The downstream was called and failed (504 timeout, 502 other).</summary>
    DownstreamFailed,

    /// <summary>Anything else: 500 from the gateway, no answer.</summary>
    Error,
}
