using System.Globalization;
using CircuitBreaker.Bench.Load;
using CircuitBreaker.Bench.Report;
using CircuitBreaker.Bench.Stack;
using CircuitBreaker.Contract;
using CircuitBreaker.Local.DynamoDb;

namespace CircuitBreaker.Bench;

/// <summary>
/// <c>--closed-circuit-only</c>: the closed circuit's runs for each <c>closedStateMaxAgeSeconds</c> (0, the behaviour before
/// the setting, beside the others), printed as markdown tables for docs/performance.md.
/// </summary>
internal static class ClosedCircuitCommand
{
    public static async Task<int> RunAsync(BenchOptions options, string root, TextWriter output, CancellationToken cancellationToken)
    {
        var ages = options.ClosedStateMaxAges ?? [TimeSpan.Zero, CircuitPolicy.DefaultClosedStateMaxAge];
        var loads = new List<double> { LoadAverage.OneMinute() };
        var reads = new List<(TimeSpan Age, FleetRun Run)>();
        var hot = new List<(TimeSpan Age, FleetRun Run)>();
        var failing = new List<(TimeSpan Age, FastFailingRun Run)>();
        var hotRate = options.HotReadLimit * 10;
        foreach (var age in ages)
        {
            var variant = OursVariant.Count().WithClosedStateMaxAge(age);
            await using (var system = await MeasuredLocalSystem.StartAsync(variant, options.Stack, root, cancellationToken).ConfigureAwait(false))
            {
                foreach (var instances in options.ClosedInstances)
                {
                    foreach (var rate in options.ClosedRates)
                    {
                        loads.Add(LoadAverage.OneMinute());
                        var run = await ClosedCircuitBench.DriveAsync(system, instances, rate, options.ClosedDuration, cancellationToken).ConfigureAwait(false);
                        reads.Add((age, run));
                        await output.WriteLineAsync(Invariant($"{variant.Name}: {instances} warm, {rate} req/s: {run.Requests} requests ({run.AchievedRate:0} req/s), {run.GetItems} reads, {run.ReadsPerRequest:0.0000} reads/request, overhead p50 {run.OverheadP50Ms:0.00} ms")).ConfigureAwait(false);
                    }
                }
            }

            await using (var system = await MeasuredLocalSystem.StartAsync(variant, options.Stack, root, cancellationToken).ConfigureAwait(false))
            {
                loads.Add(LoadAverage.OneMinute());
                var run = await ClosedCircuitBench.FastFailingAsync(system, 5, 50, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4), cancellationToken).ConfigureAwait(false);
                failing.Add((age, run));
                await output.WriteLineAsync(Invariant($"{variant.Name}: fast-failing downstream: {run.FailedCalls} failed calls, {run.CallsAfterOpened} after the circuit opened ({run.CallsAfterOpenedPerInstance:0.##} per warm instance)")).ConfigureAwait(false);
            }

            var limited = options.Stack with { DynamoDbItemLimits = new ItemThroughputLimits(options.HotReadLimit, StackSettings.ScaledItemLimits.WriteUnitsPerSecond) };
            await using (var system = await MeasuredLocalSystem.StartAsync(variant, limited, root, cancellationToken).ConfigureAwait(false))
            {
                loads.Add(LoadAverage.OneMinute());
                var run = await ClosedCircuitBench.DriveAsync(system, options.HotInstances, hotRate, options.ClosedDuration, cancellationToken).ConfigureAwait(false);
                hot.Add((age, run));
                await output.WriteLineAsync(Invariant($"{variant.Name}: hot circuit at {hotRate} req/s: {run.Requests} requests ({run.AchievedRate:0} req/s), {run.ThrottledGetItems} of {run.GetItems} reads throttled, {run.WithoutBreaker} without the breaker, {run.SlowedPast10Ms} slowed > 10 ms")).ConfigureAwait(false);
            }
        }

        loads.Add(LoadAverage.OneMinute());
        await output.WriteLineAsync().ConfigureAwait(false);
        await output.WriteLineAsync(Render(options, reads, hot, failing, loads)).ConfigureAwait(false);
        return 0;
    }

    private static string Render(
        BenchOptions options,
        List<(TimeSpan Age, FleetRun Run)> reads,
        List<(TimeSpan Age, FleetRun Run)> hot,
        List<(TimeSpan Age, FastFailingRun Run)> failing,
        List<double> loads)
    {
        var md = new System.Text.StringBuilder();
        md.AppendLine(Invariant($"Load average (1 min) during the runs: median {Median(loads):0.0}, from {loads.Min():0.0} to {loads.Max():0.0} ({loads.Count} readings; 2 cores shared)."));
        md.AppendLine();
        md.AppendLine("**DynamoDB reads per request, closed circuit, fast downstream** (each warm instance has served one request before; " + Invariant($"{options.ClosedDuration.TotalSeconds:0} s per row)"));
        md.AppendLine();
        md.AppendLine("| Warm instances | Rate (req/s) | Requests | " + string.Join(" | ", reads.Select(r => r.Age).Distinct().Select(a => $"Reads / request, age {Seconds(a)} s")) + " | Breaker overhead p50 / p99 ms, age " + string.Join(" / ", reads.Select(r => r.Age).Distinct().Select(Seconds)) + " |");
        md.AppendLine("|---:|---:|---:|" + string.Concat(reads.Select(r => r.Age).Distinct().Select(_ => "---:|")) + "---|");
        foreach (var group in reads.GroupBy(r => (r.Run.Instances, r.Run.Rate)))
        {
            md.AppendLine(Invariant($"| {group.Key.Instances} | {group.Key.Rate:0} | {group.First().Run.Requests} | ")
                + string.Join(" | ", group.Select(r => Invariant($"{r.Run.ReadsPerRequest:0.0000}")))
                + " | " + string.Join(" ; ", group.Select(r => Invariant($"{r.Run.OverheadP50Ms:0.00} / {r.Run.OverheadP99Ms:0.00}"))) + " |");
        }

        md.AppendLine();
        md.AppendLine(Invariant($"**One circuit at 10× its item's read limit** ({options.HotReadLimit:0} read units/s per item through the limits proxy, driven at {options.HotReadLimit * 10:0} req/s by {options.HotInstances} warm instances for {options.ClosedDuration.TotalSeconds:0} s; downstream healthy)"));
        md.AppendLine();
        md.AppendLine("| Age (s) | Requests (achieved req/s) | Reads | Reads throttled | Requests counted StateReadsThrottled | Relayed without the breaker | Breaker overhead > 10 ms | Overhead p50 / p99 / max ms | Relayed (2xx) |");
        md.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---|---:|");
        foreach (var (age, run) in hot)
        {
            md.AppendLine(Invariant($"| {Seconds(age)} | {run.Requests} ({run.AchievedRate:0}) | {run.GetItems} | {run.ThrottledGetItems} | {run.StateReadsThrottled} | {run.WithoutBreaker} | {run.SlowedPast10Ms} | {run.OverheadP50Ms:0.00} / {run.OverheadP99Ms:0.00} / {run.OverheadMaxMs:0.0} | {run.Relayed} |"));
        }

        md.AppendLine();
        md.AppendLine("**A fast-failing downstream** (5 warm instances, 50 req/s; healthy 1 s, then a 500 at once for 4 s)");
        md.AppendLine();
        md.AppendLine("| Age (s) | Requests | Failed calls | Calls after the circuit opened | per warm instance | Reads |");
        md.AppendLine("|---:|---:|---:|---:|---:|---:|");
        foreach (var (age, run) in failing)
        {
            md.AppendLine(Invariant($"| {Seconds(age)} | {run.Requests} | {run.FailedCalls} | {run.CallsAfterOpened} | {run.CallsAfterOpenedPerInstance:0.##} | {run.GetItems} |"));
        }

        return md.ToString();
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private static string Seconds(TimeSpan age) => SettingValues.Seconds(age);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
