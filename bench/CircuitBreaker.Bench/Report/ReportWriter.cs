using System.Globalization;
using System.Text;
using CircuitBreaker.Bench.Metrics;
using CircuitBreaker.Bench.Load;
using CircuitBreaker.Bench.Micro;
using CircuitBreaker.Bench.Stack;
using static CircuitBreaker.Bench.Report.Markdown;

namespace CircuitBreaker.Bench.Report;

/// <summary>Writes docs/performance.md from a <see cref="BenchReport"/>.</summary>
internal static class ReportWriter
{
    public const string Command = "dotnet run -c Release --project bench/CircuitBreaker.Bench";
    public const string TimelineFile = "outage-timeline.svg";

    public const string NoiseTimelineFile = "noise-timeline.svg";

    public static string Render(BenchReport report)
    {
        var md = new StringBuilder();
        var o = report.Options;
        var hangRuns = Group(report.OutageRuns.Where(r => r.Scenario == DownstreamFault.Hang.Scenario));
        var noiseRuns = Group(report.OutageRuns.Where(r => r.Scenario != DownstreamFault.Hang.Scenario));
        var hangVariants = BenchCommand.HangVariants().Where(v => hangRuns.ContainsKey(v.Name)).ToList();
        var noiseVariants = BenchCommand.NoiseVariants().Where(v => noiseRuns.ContainsKey(v.Name)).ToList();
        var comparableHang = hangVariants.Any(v => v.IsBaseline) && hangVariants.Count > 1;

        md.AppendLine("# Performance: the breaker's modes against the original, measured side by side");
        md.AppendLine();
        md.AppendLine(Inv($"Generated {report.StartedAt:yyyy-MM-dd HH:mm} UTC by `{Command}{Arguments(o)}` in {report.Took.TotalMinutes:0.0} minutes."));
        md.AppendLine(o.Quick
            ? "This is a **quick** run (short hang and noise, one repetition): indicative only. The full run is the same command without `-- --quick`."
            : Inv($"{o.Repetitions} repetition(s) of each hang run and {o.NoiseRepetitions} of each noise run; tables give the median of the repetitions."));
        md.AppendLine();
        md.AppendLine("Regenerate: `" + Command + "` (3 repetitions of everything: about 70 minutes on a quiet 2-core machine) or `" + Command + " -- --quick` (about 12 minutes). "
            + "Needs `npm ci` (dynalite) in the repository; the cold-start part publishes the functions with Native AOT (`--no-cold-start` skips it).");
        md.AppendLine();
        if (comparableHang)
        {
            InShort(md, o, hangVariants, hangRuns, noiseVariants, noiseRuns);
        }

        Machine(md, report.Machine, report.LoadAverages);
        Settings(md, o, hangVariants.Concat(noiseVariants).DistinctBy(v => v.Name).ToList());
        if (comparableHang)
        {
            HangSection.Write(md, o, hangVariants, hangRuns);
        }

        if (noiseVariants.Count > 0)
        {
            NoiseSection.Write(md, o, noiseVariants, noiseRuns);
        }

        Runs(md, report.OutageRuns, o);
        FastFail(md, report.FastFail, o);
        Throughput(md, report.Throughput);
        ColdStart(md, report.ColdStart, report.ColdStartNote);
        Micro(md, report.Micro ?? []);
        if (comparableHang)
        {
            CostSection.Write(md, o, hangVariants, hangRuns);
        }

        Baseline(md);
        Caveats(md, report.Machine);
        return md.ToString();
    }

    private static Dictionary<string, List<OutageRunResult>> Group(IEnumerable<OutageRunResult> runs) =>
        runs.GroupBy(r => r.Variant).ToDictionary(g => g.Key, g => g.ToList());

    private static string Arguments(BenchOptions o)
    {
        var parts = new List<string>();
        if (o.Quick)
        {
            parts.Add("--quick");
        }
        else if (!o.ColdStartOnly && !o.OpenCircuitOnly && !o.MicroOnly)
        {
            parts.Add(Inv($"--repetitions {o.Repetitions} --noise-repetitions {o.NoiseRepetitions}"));
        }

        parts.Add(o.ColdStartOnly ? "--cold-start-only" : o.OpenCircuitOnly ? "--open-circuit-only" : o.MicroOnly ? "--micro-only" : o.ColdStart ? string.Empty : "--no-cold-start");
        parts.Add(!o.Micro && !o.ColdStartOnly ? "--no-micro" : string.Empty);
        parts.Add(o.Only is { } only ? "--only " + only : string.Empty);
        var given = parts.Where(part => part.Length > 0).ToList();
        return given.Count == 0 ? string.Empty : " -- " + string.Join(' ', given);
    }

    private static void InShort(
        StringBuilder md, BenchOptions o, List<BreakerVariant> hangVariants, Dictionary<string, List<OutageRunResult>> hangRuns,
        List<BreakerVariant> noiseVariants, Dictionary<string, List<OutageRunResult>> noiseRuns)
    {
        var medians = hangVariants.ToDictionary(v => v.Name, v => OutageSummary.MedianOf(hangRuns[v.Name].Select(OutageSummary.Of).ToList()));
        var baseline = medians[hangVariants.First(v => v.IsBaseline).Name];
        var parts = hangVariants.Where(v => !v.IsBaseline).Select(v =>
        {
            var goal = HangGoal.Of(medians[v.Name], baseline);
            return Inv($"{v.Label} {medians[v.Name].DownstreamCallsWhileUnhealthy} ({goal.DeadCallsRatio:0.000}×) and {medians[v.Name].FunctionSeconds:0.#} s ({goal.FunctionSecondsRatio:0.000}×)");
        });
        md.Append(Inv($"**In short:** with the downstream hanging for {o.Scenario.Outage.TotalSeconds:0} s under {o.Load.RequestsPerSecond:0} req/s (timeout {o.Stack.DownstreamTimeout.TotalSeconds:0.#} s, window and open period {o.Stack.Window.TotalSeconds:0} s), the original let {baseline.DownstreamCallsWhileUnhealthy} calls through to the dead downstream and spent {baseline.FunctionSeconds:0.#} function-seconds; "));
        md.Append(string.Join("; ", parts) + ". ");
        var met = hangVariants.Where(v => !v.IsBaseline).Where(v => HangGoal.Of(medians[v.Name], baseline) is { MeetsDeadCalls: true, MeetsFunctionSeconds: true }).Select(v => v.Label).ToList();
        md.Append(met.Count == 0 ? "No variant reaches the issue's goal (≤ 1/50 of the dead calls, ≤ 1/20 of the function-seconds). " : $"The issue's goal (≤ 1/50 of the dead calls, ≤ 1/20 of the function-seconds) is reached by {string.Join(" and ", met)} only. ");
        if (noiseVariants.Count > 0)
        {
            var noise = noiseVariants.Select(v => (v.Label, NoiseSummary.MedianOf(noiseRuns[v.Name].Select(r => NoiseSummary.Of(r, o.Stack.Window)).ToList())));
            md.Append(Inv($"With {BenchOptions.NoiseFailureFraction:P1} of calls failing at random and no outage: ")
                + string.Join(", ", noise.Select(n => Inv($"{n.Label} opened {n.Item2.Openings} times and refused {n.Item2.Refused} requests"))) + ".");
        }

        md.AppendLine();
        md.AppendLine();
    }

    private static void Machine(StringBuilder md, MachineInfo m, IReadOnlyList<double> loads)
    {
        md.AppendLine("## Machine");
        md.AppendLine();
        md.AppendLine("| | |");
        md.AppendLine("|---|---|");
        md.AppendLine(Inv($"| CPU | {m.Cpu}, {m.Cores} cores visible ({m.Architecture}) |"));
        md.AppendLine(Inv($"| Memory | {m.MemoryGigabytes:0.0} GB |"));
        md.AppendLine(Inv($"| OS | {m.OperatingSystem} |"));
        md.AppendLine(Inv($"| .NET | {m.DotnetVersion} |"));
        var known = loads.Where(l => !double.IsNaN(l)).ToList();
        if (known.Count > 0)
        {
            md.AppendLine(Inv($"| Load average (1 min) before the runs | median {Percentiles.Median(known):0.0}, from {known.Min():0.0} to {known.Max():0.0} ({known.Count} readings; {m.Cores} cores) |"));
        }

        md.AppendLine();
    }

    private static void Settings(StringBuilder md, BenchOptions o, IReadOnlyList<BreakerVariant> variants)
    {
        var s = o.Stack;
        var scenario = o.Scenario;
        md.AppendLine("## Settings");
        md.AppendLine();
        md.AppendLine("Times are production's (10 s timeout, 60 s window, 60 s open) divided by ten, in the same proportions (timeout : window : open = 1 : 6 : 6), so that an outage of twenty open periods fits in minutes; the cost model below scales the measured per-request figures back up.");
        md.AppendLine();
        md.AppendLine("| Setting | Value |");
        md.AppendLine("|---|---|");
        md.AppendLine(Inv($"| Downstream timeout | {s.DownstreamTimeout.TotalSeconds:0.###} s |"));
        md.AppendLine(Inv($"| Failure threshold (count mode and the original) | {s.FailureThreshold} |"));
        md.AppendLine(Inv($"| Window | {s.Window.TotalSeconds:0.###} s |"));
        md.AppendLine(Inv($"| Open period (ours; the original has none) | {s.OpenDuration.TotalSeconds:0.###} s |"));
        md.AppendLine("| Event delivery | the local EventBridge: delivered as soon as accepted, retried with backoff on failure |");
        md.AppendLine(Inv($"| Load | {o.Load.RequestsPerSecond:0} req/s open-loop over {o.Load.Clients} clients, at most {o.Load.MaxInFlight} in flight, client timeout {o.Load.ClientTimeout.TotalSeconds:0} s |"));
        md.AppendLine(Inv($"| Hang run | {scenario.Healthy.TotalSeconds:0} s healthy, {scenario.Outage.TotalSeconds:0} s hanging, {scenario.Recovery.TotalSeconds:0} s recovered |"));
        var noise = o.NoiseScenario(1);
        md.AppendLine(Inv($"| Noise run | {noise.Healthy.TotalSeconds:0} s healthy, then {noise.Outage.TotalSeconds:0} s with {BenchOptions.NoiseFailureFraction:P1} of calls failing at random |"));
        md.AppendLine(Inv($"| Repetitions | hang {o.Repetitions}, noise {o.NoiseRepetitions} per variant, the variants in turn within each repetition |"));
        md.AppendLine();
        md.AppendLine("| Variant | What it runs | Settings beyond the common ones |");
        md.AppendLine("|---|---|---|");
        foreach (var variant in variants)
        {
            md.AppendLine($"| {variant.Label} | {(variant.IsBaseline ? "the original's algorithm (below)" : "our functions, as the bootstrap builds them")} | {ModeText(variant, o)} |");
        }

        md.AppendLine();
        md.AppendLine("**The stack.** Each run starts the local host's system (`local/`, as `dotnet run --project local` composes it) with its own dynalite (local's, one node process per run): "
            + "its HTTP API turns each request into a payload-format-2.0 event; its Lambda Runtime API hands it to a webservice instance (one invocation at a time per instance, a new instance when all are busy, each running the functions' runtime loop with its own memory); "
            + "failures go through the webservice's PutEvents client to the local EventBridge endpoint, whose rule delivers the envelope to a recorder instance; the downstream is the local simulator (switched between ok and hang, or failing a seeded random share of calls). "
            + "Each instance is built from its environment as the bootstrap builds it (`FunctionInstance` with the variant's settings in that environment; for the original, `FunctionInstance` with the original's two handlers over the same SDK and PutEvents clients). "
            + "The bench adds only measurement: a timing decorator around each instance's handler (function time = the sum of handler durations) and, per function, a counting reverse proxy in front of dynalite keyed by `X-Amz-Target` (every DynamoDB request, retries included).");
        md.AppendLine();
        md.AppendLine("The fast-fail and throughput measurements below run on the same local system, started for them alone with a window and open period of 10 minutes so that the circuit stays open once the hanging simulator has opened it: handler times call a webservice instance's handler directly (no HTTP), the instance built from the environment the local host gives its webservice instances; end-to-end and saturation figures go through the local host's HTTP API.");
        md.AppendLine();
    }

    private static string ModeText(BreakerVariant variant, BenchOptions o)
    {
        if (variant.IsBaseline)
        {
            return "—";
        }

        var common = o.Stack.ToCircuitSettings(new Uri("http://127.0.0.1/"));
        var mode = variant.Configure(common).Policy;
        var parts = new List<string>();
        if (mode.FailureRatio is { } ratio)
        {
            parts.Add(Inv($"`failureRatio` {ratio:0.###}, `minimumThroughput` {mode.MinimumThroughput}"));
        }

        if (mode.SlowCallThreshold is { } slow)
        {
            parts.Add(Inv($"`slowCallSeconds` {slow.TotalSeconds:0.###} (timeout / {common.Target.DownstreamTimeout / slow:0})"));
        }

        if (mode.MaxOpenDuration > mode.OpenDuration)
        {
            parts.Add(Inv($"`maxOpenSeconds` {mode.MaxOpenDuration.TotalSeconds:0.###} ({mode.MaxOpenDuration / mode.OpenDuration:0} × open)"));
        }

        return parts.Count == 0 ? "none (count mode, the defaults)" : string.Join("; ", parts);
    }

    private static void Runs(StringBuilder md, IReadOnlyList<OutageRunResult> runs, BenchOptions o)
    {
        md.AppendLine("### Every run");
        md.AppendLine();
        md.AppendLine("| Scenario | Variant | Run | Downstream calls while faulty | Function-s | Reads | Writes | Events | Opened | Refused (503) | p50 ms | p99 ms | Recovery → success s | Load avg | Shed by driver |");
        md.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var run in runs)
        {
            var s = OutageSummary.Of(run);
            var noise = NoiseSummary.Of(run, o.Stack.Window);
            md.AppendLine(Inv($"| {run.Scenario} | {run.Variant} | {run.Repetition} | {s.DownstreamCallsWhileUnhealthy} | {s.FunctionSeconds:0.0} | {s.DynamoDbReads} | {s.DynamoDbWrites} | {s.Events} | {noise.Openings} | {s.FailedFast} | {s.LatencyP50Ms:0.0} | {s.LatencyP99Ms:0.0} | {Num(s.RecoveryToFirstSuccessSeconds, "0.00")} | {Num(run.LoadAverage, "0.0")} | {run.ShedByDriver} |"));
        }

        md.AppendLine();
        md.AppendLine("Opened: openings of the stored circuit while the downstream was faulty. Recovery → success: from the downstream's recovery to the first relayed answer of a request sent after it (— in noise runs, which have no recovery). Load avg: the machine's one-minute load average when the run started.");
        md.AppendLine();
    }

    private static void FastFail(StringBuilder md, IReadOnlyList<FastFailResult> results, BenchOptions o)
    {
        md.AppendLine("## Fast-fail cost");
        md.AppendLine();
        if (results.Count == 0)
        {
            md.AppendLine("Not measured in this run.");
            md.AppendLine();
            return;
        }

        md.AppendLine("A request while the circuit is open, against the failing call it replaces. Handler time of the failing calls: as the outage runs time them, around each invocation. Handler time of the open circuit: BenchmarkDotNet's, in the micro-benchmarks below (direct invocations of a webservice instance, one after another; for a new instance, each invocation goes to an instance built for it with its own SDK and HTTP clients, building it not timed). DynamoDB reads per request are counted on direct invocations by the bench's proxy, as in the outage runs: one more loopback hop per read. End to end: sequential requests through the local host's HTTP API, its Lambda Runtime API and an instance's runtime loop; for a new instance, each request is served by an instance built for it in that request (its init in the latency, a process start not).");
        md.AppendLine();
        md.AppendLine("| Path | Samples | Handler p50 ms | Handler p99 ms | End-to-end p50 ms | End-to-end p99 ms | DynamoDB reads / request |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            md.AppendLine(Inv($"| {r.Path} | {r.Samples} | {Num(r.HandlerP50Ms, "0.000")} | {Num(r.HandlerP99Ms, "0.000")} | {Num(r.EndToEndP50Ms, "0.000")} | {Num(r.EndToEndP99Ms, "0.000")} | {Num(r.DynamoDbReadsPerRequest, "0.##")} |"));
        }

        md.AppendLine();
        md.AppendLine(Inv($"The failing call is bounded by the timeout ({o.Stack.DownstreamTimeout.TotalSeconds:0.###} s here, 10 s by default), plus publishing the failure event."));
        md.AppendLine();
    }

    private static void Throughput(StringBuilder md, IReadOnlyList<ThroughputResult> results)
    {
        md.AppendLine("## Throughput of the open-circuit path");
        md.AppendLine();
        if (results.Count == 0)
        {
            md.AppendLine("Not measured in this run.");
            md.AppendLine();
            return;
        }

        md.AppendLine("Closed-loop clients hammer the open circuit through the local host's HTTP API until the machine saturates. CPU per request is the bench process's CPU time (client, HTTP API, Lambda Runtime API, runtime loops, handlers and the counting proxy in front of dynalite together — an upper bound for the handler) and dynalite's (node) CPU time, divided by the requests.");
        md.AppendLine();
        md.AppendLine("| Variant | Concurrency | Seconds | Requests | Requests/s | Bench CPU µs / request | dynalite CPU µs / request | Share failed fast |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            md.AppendLine(Inv($"| {r.Variant} | {r.Concurrency} | {r.Duration.TotalSeconds:0.0} | {r.Requests} | {r.RequestsPerSecond:0} | {r.BenchCpuMicrosecondsPerRequest:0} | {r.DynaliteCpuMicrosecondsPerRequest:0} | {r.FastFailShare:P1} |"));
        }

        var ours = results.FirstOrDefault(r => r.Variant != "baseline");
        var baseline = results.FirstOrDefault(r => r.Variant == "baseline");
        if (ours is not null && baseline is not null)
        {
            md.AppendLine();
            md.AppendLine(Inv($"Ratio ours / baseline: requests/s {Ratio(ours.RequestsPerSecond, baseline.RequestsPerSecond)}, CPU per request (bench + dynalite) {Ratio(ours.BenchCpuMicrosecondsPerRequest + ours.DynaliteCpuMicrosecondsPerRequest, baseline.BenchCpuMicrosecondsPerRequest + baseline.DynaliteCpuMicrosecondsPerRequest)}."));
        }

        md.AppendLine();
    }

    private static void ColdStart(StringBuilder md, IReadOnlyList<ColdStartResult> results, string? note)
    {
        md.AppendLine("## Cold start");
        md.AppendLine();
        if (results.Count == 0)
        {
            md.AppendLine(note ?? "Not measured in this run.");
            md.AppendLine();
            return;
        }

        md.AppendLine("Process start → first response posted to a loopback Runtime API (the webservice handler, circuit closed, downstream healthy, state read from dynalite). Peak RSS is VmHWM from /proc/<pid>/status after the first response.");
        md.AppendLine();
        md.AppendLine("| Build | Samples | First response, median ms | min | max | Size | Peak RSS MB |");
        md.AppendLine("|---|---:|---:|---:|---:|---|---:|");
        foreach (var r in results)
        {
            md.AppendLine(Inv($"| {r.Build} | {r.Samples} | {r.FirstResponseMedianMs:0} | {r.FirstResponseMinMs:0} | {r.FirstResponseMaxMs:0} | {r.SizeBytes / 1024.0 / 1024.0:0.0} MB ({r.SizeWhat}) | {r.PeakRssKilobytes / 1024.0:0.0} |"));
        }

        if (note is not null)
        {
            md.AppendLine();
            md.AppendLine(note);
        }

        md.AppendLine();
    }

    private static void Micro(StringBuilder md, IReadOnlyList<MicroResult> results)
    {
        md.AppendLine("## Micro-benchmarks");
        md.AppendLine();
        if (results.Count == 0)
        {
            md.AppendLine("Not measured in this run.");
            md.AppendLine();
            return;
        }

        md.AppendLine("Measured with BenchmarkDotNet 0.15.8 and its memory diagnoser, in the bench's process (in-process toolchain), on a short job: 3 warm-up and 3 measured iterations of as many operations as fill an iteration, one launch; the new-instance case is one invocation per iteration, 40 iterations. The fast-fail cases run on the local host's system with the circuit opened by real failures, the DynamoDB cases on dynalite. Standard error is of the mean; a short job's figures are indicative to about ±10 %.");
        md.AppendLine();
        md.AppendLine("| Suite | Benchmark | Parameters | Mean | Median | ± standard error | Allocated / op |");
        md.AppendLine("|---|---|---|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            md.AppendLine(Inv($"| {r.Suite} | {r.Benchmark} | {r.Parameters} | {Duration(r.MeanNanoseconds)} | {Duration(r.MedianNanoseconds)} | {Duration(r.StandardErrorNanoseconds)} | {(r.AllocatedBytesPerOperation is { } bytes ? Inv($"{bytes:N0} B") : "—")} |"));
        }

        md.AppendLine();
    }

    // BenchmarkDotNet's unit choice: ns below a microsecond, then µs, then ms.
    private static string Duration(double nanoseconds) => nanoseconds switch
    {
        double.NaN => "—",
        < 1_000 => Inv($"{nanoseconds:0.0} ns"),
        < 1_000_000 => Inv($"{nanoseconds / 1_000:0.00} µs"),
        _ => Inv($"{nanoseconds / 1_000_000:0.000} ms"),
    };

    private static void Baseline(StringBuilder md)
    {
        md.AppendLine("## The baseline: the original's algorithm");
        md.AppendLine();
        md.AppendLine("Re-implemented in C# from the behaviour of cdk-patterns' *The EventBridge Circuit Breaker* (repository `cdk-patterns/serverless`, folder `the-eventbridge-circuit-breaker/typescript`: `lambdas/webservice/lambda.ts`, `lambdas/error/lambda.ts`, `lib/the-eventbridge-circuit-breaker-stack.ts`), in `bench/CircuitBreaker.Bench/Baseline/`:");
        md.AppendLine();
        md.AppendLine("- **Table:** hash key `RequestID` (string), range key `ExpirationTime` (number, also the TTL attribute), and a global secondary index `UrlIndex` on `SiteUrl` + `ExpirationTime`.");
        md.AppendLine("- **Webservice, every request:** query `UrlIndex` for the service's items with `ExpirationTime > now` (epoch seconds). If the count is at least the threshold (3 in the original), answer at once; otherwise call the service with the timeout, and on failure put an event (`status: fail`, the site URL, the error) on the bus. No open state, no probe: the circuit \"closes\" when enough failures have expired, and every request in flight then calls the service.");
        md.AppendLine("- **Recorder, every delivered event:** put an item under a random `RequestID` with `ExpirationTime = now + 60 s` (here: the window). A redelivered event is a new item and counts twice.");
        md.AppendLine("- **Kept the same as ours, for a like-for-like comparison:** the downstream client (timeout, relaying), the event's detail and envelope, the log lines, and the answers' shapes (503 problem for fail-fast, 504/502 for a failed call; the original answered 500 with a text body for both).");
        md.AppendLine();
    }

    private static void Caveats(StringBuilder md, MachineInfo m)
    {
        md.AppendLine("## Caveats");
        md.AppendLine();
        md.AppendLine(Inv($"- The machine has {m.Cores} cores shared by the load generator, the HTTP API, the functions, the downstream simulator and dynalite (node). The load (50 req/s) is far below saturation, so the outage figures measure the designs, not the machine; absolute latencies are loopback latencies, not AWS's."));
        md.AppendLine("- dynalite is not DynamoDB: its latency is loopback latency and it does not throttle; the request counts and units are what DynamoDB would bill, the times are not what it would take.");
        md.AppendLine("- Function time is measured in process around each handler invocation; Lambda bills the same span (rounded up to the millisecond, which matters only for the sub-millisecond fast-fail path).");
        md.AppendLine("- Events are delivered within milliseconds on loopback; EventBridge takes longer (the cost model assumes 1 s), which widens every first wave of calls for both designs. No event was redelivered in these runs; a redelivery would count twice in the baseline only.");
        md.AppendLine();
    }

}
