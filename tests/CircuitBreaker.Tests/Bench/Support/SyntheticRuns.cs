using CircuitBreaker.Bench;
using CircuitBreaker.Bench.Load;
using CircuitBreaker.Bench.Metrics;

namespace CircuitBreaker.Tests.Bench.Support;

/// <summary>Hand-made run results: the figures a test asserts follow from the arguments alone.</summary>
internal static class SyntheticRuns
{
    /// <summary>Phases: healthy 0–10 s, faulty 10–70 s, recovered 70–100 s.</summary>
    public static readonly OutagePhases Phases = new(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(70), TimeSpan.FromSeconds(100));

    public static RequestSample Request(double sentAt, int status, double latencyMs = 1) =>
        new(TimeSpan.FromSeconds(sentAt), TimeSpan.FromSeconds(sentAt), TimeSpan.FromMilliseconds(latencyMs), status);

    public static StateSample State(double at, string state) => new(TimeSpan.FromSeconds(at), state);

    /// <summary>
    /// A run with <paramref name="deadCalls"/> calls into the faulty downstream, one webservice invocation of
    /// <paramref name="webserviceSeconds"/>, and the given requests, states and DynamoDB counts at the phase boundaries.
    /// </summary>
    public static OutageRunResult Run(
        string variant,
        string scenario = "hang",
        int repetition = 1,
        long deadCalls = 0,
        double webserviceSeconds = 1,
        IReadOnlyList<RequestSample>? requests = null,
        IReadOnlyList<StateSample>? states = null,
        DynamoDbCounts atStart = default,
        DynamoDbCounts atRecovery = default) =>
        new(
            TimeSpan.FromSeconds(1),
            variant,
            repetition,
            Phases,
            requests ?? [Request(5, 200), Request(80, 200, latencyMs: 2)],
            states ?? [State(0, "closed")],
            [
                new HandlerTiming("webservice", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(webserviceSeconds), false),
                new HandlerTiming("webservice", TimeSpan.FromSeconds(20), TimeSpan.Zero, false),
                new HandlerTiming("recorder", TimeSpan.FromSeconds(20), TimeSpan.Zero, false),
            ],
            new Dictionary<string, int>(),
            new Dictionary<string, int>(),
            atRecovery.WebserviceReads,
            atRecovery.WebserviceWrites,
            atRecovery.RecorderReads,
            atRecovery.RecorderWrites,
            1,
            1,
            deadCalls,
            deadCalls,
            deadCalls,
            deadCalls,
            1,
            1,
            0,
            atStart,
            atRecovery,
            scenario,
            scenario == "hang" ? "downstream hangs" : "0.5 % of calls fail at random");
}
