using System.Text;
using CircuitBreaker.Bench.Metrics;
using CircuitBreaker.Bench.Stack;
using static CircuitBreaker.Bench.Report.Markdown;

namespace CircuitBreaker.Bench.Report;

/// <summary>The noisy healthy service's part of the report: openings, refused requests, and what counting calls costs.</summary>
internal static class NoiseSection
{
    /// <summary>Issue 9's target for ratio mode's call counting.</summary>
    public const double WritesPerRequestTarget = 0.05;

    public static void Write(StringBuilder md, BenchOptions o, IReadOnlyList<BreakerVariant> variants, IReadOnlyDictionary<string, List<OutageRunResult>> runs)
    {
        var medians = variants.ToDictionary(v => v.Name, v => NoiseSummary.MedianOf(runs[v.Name].Select(r => NoiseSummary.Of(r, o.Stack.Window)).ToList()));
        var scenario = o.NoiseScenario(1);
        md.AppendLine(Inv($"## Noisy healthy service: {OutageScenarioText(scenario)}"));
        md.AppendLine();
        md.AppendLine(Inv($"The same load ({o.Load.RequestsPerSecond:0} req/s), no outage: the simulator answers every call, but fails {BenchOptions.NoiseFailureFraction:P1} of them (HTTP 500) at random, drawn from a seed (repetition n uses seed 1000 + n, the same for every variant). Figures cover the noisy {scenario.Outage.TotalSeconds:0} s ({scenario.Outage / o.Stack.Window:0} windows of {o.Stack.Window.TotalSeconds:0} s), medians over {runs[variants[0].Name].Count} run(s) of each."));
        md.AppendLine();
        md.AppendLine("| Variant | Requests | Calls the downstream failed | **Times the circuit opened** | **Requests refused (503)** | Webservice DynamoDB writes / request | All DynamoDB writes / request | DynamoDB reads / request | Webservice instances |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var variant in variants)
        {
            var s = medians[variant.Name];
            md.AppendLine(Inv($"| {variant.Label} | {s.Requests} | {s.DownstreamFailed} | {s.Openings} | {s.Refused} | {Num(s.WebserviceWritesPerRequest, "0.0000")} | {Num(s.WritesPerRequest, "0.0000")} | {Num(s.ReadsPerRequest, "0.000")} | {Instances(runs[variant.Name]):0} |"));
        }

        md.AppendLine();
        var window = o.Load.RequestsPerSecond * o.Stack.Window.TotalSeconds;
        md.AppendLine(Inv($"A window holds about {window:0} calls, so {BenchOptions.NoiseFailureFraction:P1} noise gives about {window * BenchOptions.NoiseFailureFraction:0.#} failures per window on average: count mode's threshold of {o.Stack.FailureThreshold} is often reached by chance, and each opening refuses every request for an open period. Ratio mode needs 10 % of at least 100 calls, twenty times the noise."));
        if (medians.TryGetValue("ours-ratio", out var ratio))
        {
            md.AppendLine();
            md.AppendLine(Inv($"Counting calls for ratio mode: each instance counts its successful calls in memory and adds them to a per-second counter item with one `UpdateItem ADD` per flush (failures are the recorder's items). A flush is due at most once a second, and only once 20 calls wait or the oldest has waited the counter's maximum delay, a twelfth of the window between 1 and 5 s. Measured: {Num(ratio.WebserviceWritesPerRequest, "0.0000")} webservice writes per request (target ≤ {WritesPerRequestTarget:0.00}: {(ratio.WebserviceWritesPerRequest <= WritesPerRequestTarget ? "reached" : "not reached")}), against {Num(medians.GetValueOrDefault("ours-count")?.WebserviceWritesPerRequest ?? double.NaN, "0.0000")} in count mode. ")
                + Inv($"With the scaled {o.Stack.Window.TotalSeconds:0} s window the maximum delay is 1 s, so every instance that served a call flushes about once a second however few calls it holds: writes per request ≈ instances serving ÷ {o.Load.RequestsPerSecond:0} req/s (webservice instances started in these runs: {Instances(runs["ours-ratio"]):0}). ")
                + "At production's 60 s window the delay is 5 s: an instance then writes once per 20 calls when it serves 4 to 20 calls a second (0.05 per request), once a second above that (less), and once per 5 s below it (more than 0.05 per request for an instance serving under 4 calls a second): the target holds when the traffic is concentrated on instances that each serve at least 4 calls a second.");
        }

        md.AppendLine();
        md.AppendLine($"![Noise timeline]({ReportWriter.NoiseTimelineFile})");
        md.AppendLine();
        md.AppendLine("Openings are counted in the stored state sampled every 250 ms (an opening shorter than that can go unseen; the original's can be, when its third failure is counted just before the first expires); refused requests are counted exactly, by the clients.");
        md.AppendLine();
    }

    /// <summary>Median of the webservice instances a variant's runs started.</summary>
    internal static double Instances(IReadOnlyList<OutageRunResult> runs) => Percentiles.Median(runs.Select(r => (double)r.WebserviceInstances).ToList());

    private static string OutageScenarioText(Load.OutageScenario scenario) => scenario.Fault.Description + ", no outage";
}
