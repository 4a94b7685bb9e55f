using CircuitBreaker.Bench.Metrics;
using CircuitBreaker.Contract;

namespace CircuitBreaker.Bench.Report;

/// <summary>Derives a design's <see cref="UnitCosts"/> from its outage runs (median over repetitions).</summary>
internal static class UnitCostsMeasured
{
    public static UnitCosts From(IReadOnlyList<OutageRunResult> runs) => new(
        Median(runs, FastFailMilliseconds),
        Median(runs, RecorderMilliseconds),
        Median(runs, r =>
        {
            var outage = r.AtRecovery - r.AtOutageStart;
            var requests = r.Invocations.Count(i => i.Function == HandlerNames.Webservice && InOutage(r, i));
            return requests == 0 ? 0 : outage.WebserviceReads * r.ReadUnitsPerRead / requests;
        }),
        Median(runs, r => PerEvent(r, r.RecorderReads) * r.ReadUnitsPerRead),
        Median(runs, r => PerEvent(r, r.RecorderWrites + r.WebserviceWrites) * r.WriteUnitsPerWrite));

    /// <summary>Mean webservice time of the outage's requests that did not wait for the downstream.</summary>
    public static double FastFailMilliseconds(OutageRunResult run)
    {
        var fast = run.Invocations
            .Where(i => i.Function == HandlerNames.Webservice && InOutage(run, i) && i.Duration < run.DownstreamTimeout / 2)
            .Select(i => i.Duration.TotalMilliseconds)
            .ToList();
        return fast.Count == 0 ? double.NaN : fast.Average();
    }

    public static double RecorderMilliseconds(OutageRunResult run)
    {
        var recorder = run.Invocations.Where(i => i.Function == HandlerNames.Recorder).Select(i => i.Duration.TotalMilliseconds).ToList();
        return recorder.Count == 0 ? double.NaN : recorder.Average();
    }

    private static double PerEvent(OutageRunResult run, int count)
    {
        var events = run.Invocations.Count(i => i.Function == HandlerNames.Recorder);
        return events == 0 ? 0 : count / (double)events;
    }

    private static bool InOutage(OutageRunResult run, HandlerTiming invocation) =>
        invocation.StartedAt >= run.Phases.OutageStartsAt && invocation.StartedAt < run.Phases.RecoveryStartsAt;

    private static double Median(IReadOnlyList<OutageRunResult> runs, Func<OutageRunResult, double> field) =>
        Percentiles.MedianOf(runs, field);
}
