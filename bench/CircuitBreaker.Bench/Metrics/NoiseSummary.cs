using CircuitBreaker.Bench.Load;

namespace CircuitBreaker.Bench.Metrics;

/// <summary>
/// What a noisy but healthy service cost a variant, over the noisy phase only: the requests sent in it, the calls
/// the downstream failed, the circuit's openings, the requests refused (503), and DynamoDB requests per request.
/// </summary>
internal sealed record NoiseSummary(
    string Variant,
    double Windows,
    int Requests,
    int DownstreamFailed,
    int Openings,
    int Refused,
    double WebserviceWritesPerRequest,
    double WritesPerRequest,
    double ReadsPerRequest)
{
    public static NoiseSummary Of(OutageRunResult run, TimeSpan window)
    {
        var from = run.Phases.OutageStartsAt;
        var to = run.Phases.RecoveryStartsAt;
        bool InPhase(TimeSpan at) => at >= from && at < to;
        var requests = run.Requests.Where(r => InPhase(r.ScheduledAt)).ToList();
        // A faulty phase that lasts to the run's end may end before its closing snapshot is taken: then the run's
        // totals, counted at its end, are the counts at that boundary.
        var atEnd = run.AtRecovery == default
            ? new DynamoDbCounts(run.WebserviceReads, run.WebserviceWrites, run.RecorderReads, run.RecorderWrites)
            : run.AtRecovery;
        var counts = atEnd - run.AtOutageStart;
        double PerRequest(int count) => requests.Count == 0 ? double.NaN : count / (double)requests.Count;
        return new NoiseSummary(
            run.Variant,
            (to - from) / window,
            requests.Count,
            requests.Count(r => r.Outcome == Outcome.DownstreamFailed),
            CircuitOpenings.Count(run.States.Where(s => InPhase(s.At))),
            requests.Count(r => r.Outcome == Outcome.FailedFast),
            PerRequest(counts.WebserviceWrites),
            PerRequest(counts.WebserviceWrites + counts.RecorderWrites),
            PerRequest(counts.WebserviceReads + counts.RecorderReads));
    }

    /// <summary>The per-field median over repetitions of one variant.</summary>
    public static NoiseSummary MedianOf(IReadOnlyList<NoiseSummary> runs)
    {
        double M(Func<NoiseSummary, double> field) => Percentiles.MedianOf(runs, field);
        int I(Func<NoiseSummary, double> field) => (int)Math.Round(M(field));
        return new NoiseSummary(
            runs[0].Variant,
            M(r => r.Windows),
            I(r => r.Requests),
            I(r => r.DownstreamFailed),
            I(r => r.Openings),
            I(r => r.Refused),
            M(r => r.WebserviceWritesPerRequest),
            M(r => r.WritesPerRequest),
            M(r => r.ReadsPerRequest));
    }
}
