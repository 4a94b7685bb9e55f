using System.Text;
using CircuitBreaker.Bench.Metrics;
using CircuitBreaker.Bench.Stack;
using static CircuitBreaker.Bench.Report.Markdown;

namespace CircuitBreaker.Bench.Report;

/// <summary>The hang's part of the report: every variant against the original, issue 9's goal, and the recovery.</summary>
internal static class HangSection
{
    public static void Write(StringBuilder md, BenchOptions o, IReadOnlyList<BreakerVariant> variants, IReadOnlyDictionary<string, List<OutageRunResult>> runs)
    {
        var medians = variants.ToDictionary(v => v.Name, v => OutageSummary.MedianOf(runs[v.Name].Select(OutageSummary.Of).ToList()));
        var baseline = medians[variants.First(v => v.IsBaseline).Name];
        var scenario = o.Scenario;
        md.AppendLine(Inv($"## Hang: a dead downstream for {scenario.Outage.TotalSeconds:0} s"));
        md.AppendLine();
        md.AppendLine(Inv($"{o.Load.RequestsPerSecond:0} req/s; {scenario.Healthy.TotalSeconds:0} s healthy, {scenario.Outage.TotalSeconds:0} s hanging ({scenario.Outage / o.Stack.OpenDuration:0} open periods), {scenario.Recovery.TotalSeconds:0} s recovered. Medians over {runs[baseline.Variant].Count} run(s) of each; in brackets the ratio to the original's figure (below 1: less)."));
        md.AppendLine();
        Header(md, "Figure", variants.Select(v => v.Label));
        void Row(string name, Func<OutageSummary, double> field, string format) =>
            md.AppendLine($"| {name} | {string.Join(" | ", variants.Select(v => WithRatio(field(medians[v.Name]), field(baseline), format, v.IsBaseline)))} |");
        Row("**Calls into the dead downstream**", s => s.DownstreamCallsWhileUnhealthy, "0");
        Row("**Function-seconds** (webservice + recorder)", s => s.FunctionSeconds, "0.0");
        Row("  of which recorder", s => s.RecorderSeconds, "0.00");
        Row("Events published (failures and state changes)", s => s.Events, "0");
        Row("DynamoDB reads", s => s.DynamoDbReads, "0");
        Row("DynamoDB writes", s => s.DynamoDbWrites, "0");
        Row("Client latency p50 (ms)", s => s.LatencyP50Ms, "0.0");
        Row("Client latency p99 (ms)", s => s.LatencyP99Ms, "0.0");
        Row("Recovery → first success (s)", s => s.RecoveryToFirstSuccessSeconds, "0.00");
        Row("Requests answered", s => s.Requests, "0");
        Row("  relayed (2xx)", s => s.Successes, "0");
        Row("  failed fast (503)", s => s.FailedFast, "0");
        Row("  downstream failed (504/502)", s => s.DownstreamFailed, "0");
        Row("  error / no answer", s => s.Errors, "0");
        Row("Webservice instances created", s => s.WebserviceInstances, "0");
        md.AppendLine();
        md.AppendLine("Latency percentiles are over every answered request of the run (healthy, hang and recovery). Calls into the dead downstream are the simulator's calls while it hangs: each costs the webservice a full timeout. Events published counts every event the local EventBridge accepted: the failures, and for ours also the state-change events of each transition (open, half-open, closed).");
        md.AppendLine();

        Goal(md, o, variants, medians, baseline, runs);
        md.AppendLine($"![Hang timeline]({ReportWriter.TimelineFile})");
        md.AppendLine();
        md.AppendLine("The timeline shows the first repetition of each: answers per second by outcome (bars, by the second the request was sent), p99 latency per second (line), and the circuit's state as stored (band: for ours the state item; for the original, whether its index holds at least the threshold of unexpired failures).");
        md.AppendLine();
        Recovery(md, o, variants, runs);
    }

    private static void Goal(
        StringBuilder md, BenchOptions o, IReadOnlyList<BreakerVariant> variants, Dictionary<string, OutageSummary> medians, OutageSummary baseline,
        IReadOnlyDictionary<string, List<OutageRunResult>> runs)
    {
        md.AppendLine("### Issue 9's goal: at most 1/50 of the original's dead calls, at most 1/20 of its function-seconds");
        md.AppendLine();
        md.AppendLine("| Variant | Dead calls × original | ≤ 0.020? | Function-seconds × original | ≤ 0.050? | Model: first wave + probes | Why |");
        md.AppendLine("|---|---:|:---:|---:|:---:|---:|---|");
        var bound = baseline.DownstreamCallsWhileUnhealthy * HangGoal.DeadCallsGoal;
        foreach (var variant in variants.Where(v => !v.IsBaseline))
        {
            var goal = HangGoal.Of(medians[variant.Name], baseline);
            var profile = ScaledProfile(o, variant, runs[variant.Name]);
            var firstWave = CostModel.FirstWave(profile);
            var probes = CostModel.Probes(profile);
            var why = goal.MeetsDeadCalls && goal.MeetsFunctionSeconds
                ? "reached"
                : firstWave > bound
                    ? Inv($"the first wave alone — {o.Load.RequestsPerSecond:0} req/s × {profile.TimeToFirstCount.TotalSeconds:0.##} s until the first failures are counted ≈ {firstWave:0} calls — exceeds 1/50 of the original's {baseline.DownstreamCallsWhileUnhealthy} ({bound:0.#})")
                    : Inv($"the first wave ({firstWave:0}) fits within 1/50 ({bound:0.#}), but with the probes ({probes:0}, one per open period) the total does not");
            md.AppendLine(Inv($"| {variant.Label} | {Num(goal.DeadCallsRatio, "0.0000")} | {(goal.MeetsDeadCalls ? "yes" : "no")} | {Num(goal.FunctionSecondsRatio, "0.0000")} | {(goal.MeetsFunctionSeconds ? "yes" : "no")} | {firstWave:0} + {probes:0} | {why} |"));
        }

        md.AppendLine();
        md.AppendLine("A dead call is detected after the full timeout, or after `slowCallSeconds` with slow calls; until the recorder has counted the first failures every request finds the circuit closed and calls, so the first wave is the request rate times that delay. After the circuit opens, each probe is one more dead call; backoff spaces them out. Every dead call keeps its webservice busy for the full timeout (a slow call is published early but still waits for its answer), so function-seconds follow the dead calls.");
        md.AppendLine();
    }

    private static void Recovery(StringBuilder md, BenchOptions o, IReadOnlyList<BreakerVariant> variants, IReadOnlyDictionary<string, List<OutageRunResult>> runs)
    {
        md.AppendLine("### Recovery: from the downstream's recovery to the first success");
        md.AppendLine();
        md.AppendLine("| Variant | Longest open period | Each run (s) | Median (s) |");
        md.AppendLine("|---|---:|---|---:|");
        foreach (var variant in variants)
        {
            var settings = variant.Configure(o.Stack.ToCircuitSettings(new Uri("http://127.0.0.1/")));
            var values = runs[variant.Name].OrderBy(r => r.Repetition).Select(r => OutageSummary.Of(r).RecoveryToFirstSuccessSeconds).ToList();
            var longest = variant.IsBaseline ? "— (no open state)" : Inv($"{settings.Policy.MaxOpenDuration.TotalSeconds:0} s");
            md.AppendLine(Inv($"| {variant.Label} | {longest} | {string.Join(", ", values.Select(v => Num(v, "0.00")))} | {Num(Percentiles.MedianOf(values, v => v), "0.00")} |"));
        }

        md.AppendLine();
        md.AppendLine("The original calls the downstream again as soon as its counted failures expire, so it finds the recovery within about one window. Ours waits for the next probe: up to one open period after the recovery without backoff, up to the backed-off period (here up to 8 open periods, ±10 % jitter) with it. Where the recovery falls within each design's cycle is chance, so the figure varies from run to run; that is the price of backoff's fewer probes.");
        md.AppendLine();
    }

    /// <summary>The cost model's profile of the scaled run, for one variant: its modes, and the measured recorder time as the delay to counting.</summary>
    internal static OutageProfile ScaledProfile(BenchOptions o, BreakerVariant variant, IReadOnlyList<OutageRunResult> runs)
    {
        var recorder = UnitCostsMeasured.From(runs).RecorderMilliseconds;
        var profile = new OutageProfile(
            o.Scenario.Outage, o.Load.RequestsPerSecond, o.Stack.DownstreamTimeout, 256, o.Stack.Window, o.Stack.OpenDuration,
            TimeSpan.FromMilliseconds(double.IsNaN(recorder) ? 0 : recorder));
        return variant.IsBaseline ? profile : profile.WithModes(variant.Configure(o.Stack.ToCircuitSettings(new Uri("http://127.0.0.1/"))));
    }
}
