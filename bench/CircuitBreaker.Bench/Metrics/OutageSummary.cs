using CircuitBreaker.Bench.Load;
using CircuitBreaker.Contract;

namespace CircuitBreaker.Bench.Metrics;

/// <summary>The figures the report compares, computed from one <see cref="OutageRunResult"/>.</summary>
internal sealed record OutageSummary(
    string Variant,
    int Requests,
    int Successes,
    int FailedFast,
    int DownstreamFailed,
    int Errors,
    long DownstreamCallsWhileUnhealthy,
    double FunctionSeconds,
    double WebserviceSeconds,
    double RecorderSeconds,
    int WebserviceInvocations,
    int RecorderInvocations,
    int DynamoDbReads,
    int DynamoDbWrites,
    long Events,
    double LatencyP50Ms,
    double LatencyP95Ms,
    double LatencyP99Ms,
    double RecoveryToFirstSuccessSeconds,
    int WebserviceInstances)
{
    public static OutageSummary Of(OutageRunResult run)
    {
        var latencies = run.Requests.Where(r => r.Status != 0).Select(r => r.Latency.TotalMilliseconds).ToList();
        var webservice = run.Invocations.Where(i => i.Function == HandlerNames.Webservice).ToList();
        var recorder = run.Invocations.Where(i => i.Function == HandlerNames.Recorder).ToList();
        var firstSuccess = run.Requests
            .Where(r => r.Outcome == Outcome.Success && r.SentAt >= run.Phases.RecoveryStartsAt)
            .Select(r => r.CompletedAt)
            .DefaultIfEmpty(TimeSpan.MaxValue)
            .Min();
        return new OutageSummary(
            run.Variant,
            run.Requests.Count,
            run.Requests.Count(r => r.Outcome == Outcome.Success),
            run.Requests.Count(r => r.Outcome == Outcome.FailedFast),
            run.Requests.Count(r => r.Outcome == Outcome.DownstreamFailed),
            run.Requests.Count(r => r.Outcome == Outcome.Error),
            run.DownstreamCallsWhileUnhealthy,
            webservice.Sum(i => i.Duration.TotalSeconds) + recorder.Sum(i => i.Duration.TotalSeconds),
            webservice.Sum(i => i.Duration.TotalSeconds),
            recorder.Sum(i => i.Duration.TotalSeconds),
            webservice.Count,
            recorder.Count,
            run.DynamoDbReads(),
            run.DynamoDbWrites(),
            run.EventsPublished,
            Percentiles.Of(latencies, 50),
            Percentiles.Of(latencies, 95),
            Percentiles.Of(latencies, 99),
            firstSuccess == TimeSpan.MaxValue ? double.NaN : (firstSuccess - run.Phases.RecoveryStartsAt).TotalSeconds,
            run.WebserviceInstances);
    }

    /// <summary>The per-field median over repetitions of one variant.</summary>
    public static OutageSummary MedianOf(IReadOnlyList<OutageSummary> runs)
    {
        double M(Func<OutageSummary, double> field) => Percentiles.MedianOf(runs, field);
        int I(Func<OutageSummary, double> field) => (int)Math.Round(M(field));
        return new OutageSummary(
            runs[0].Variant,
            I(r => r.Requests),
            I(r => r.Successes),
            I(r => r.FailedFast),
            I(r => r.DownstreamFailed),
            I(r => r.Errors),
            (long)M(r => r.DownstreamCallsWhileUnhealthy),
            M(r => r.FunctionSeconds),
            M(r => r.WebserviceSeconds),
            M(r => r.RecorderSeconds),
            I(r => r.WebserviceInvocations),
            I(r => r.RecorderInvocations),
            I(r => r.DynamoDbReads),
            I(r => r.DynamoDbWrites),
            (long)M(r => r.Events),
            M(r => r.LatencyP50Ms),
            M(r => r.LatencyP95Ms),
            M(r => r.LatencyP99Ms),
            M(r => r.RecoveryToFirstSuccessSeconds),
            I(r => r.WebserviceInstances));
    }
}
