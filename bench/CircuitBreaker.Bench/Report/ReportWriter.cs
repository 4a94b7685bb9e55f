using System.Globalization;
using System.Text;
using CircuitBreaker.Bench.Metrics;
using CircuitBreaker.Bench.Micro;

namespace CircuitBreaker.Bench.Report;

/// <summary>Writes docs/performance.md from a <see cref="BenchReport"/>.</summary>
internal static class ReportWriter
{
    public const string Command = "dotnet run -c Release --project bench/CircuitBreaker.Bench";
    public const string TimelineFile = "outage-timeline.svg";

    /// <summary>Assumed EventBridge-to-recorder latency in production, for the cost model (not measured here).</summary>
    public static readonly TimeSpan ProductionDeliveryDelay = TimeSpan.FromSeconds(1);

    public static string Render(BenchReport report)
    {
        var md = new StringBuilder();
        var o = report.Options;
        var scenario = o.Scenario;
        var byVariant = report.OutageRuns.GroupBy(r => r.Variant).ToDictionary(g => g.Key, g => g.ToList());
        var medians = byVariant.ToDictionary(kv => kv.Key, kv => OutageSummary.MedianOf(kv.Value.Select(OutageSummary.Of).ToList()));
        medians.TryGetValue("ours", out var ours);
        medians.TryGetValue("baseline", out var baseline);

        md.AppendLine("# Performance: the breaker against the original, measured side by side");
        md.AppendLine();
        md.AppendLine(Inv($"Generated {report.StartedAt:yyyy-MM-dd HH:mm} UTC by `{Command}{(o.Quick ? " -- --quick" : string.Empty)}` in {report.Took.TotalMinutes:0.0} minutes."));
        md.AppendLine(o.Quick
            ? "This is a **quick** run (short outage, one repetition): indicative only. The full run is the same command without `-- --quick`."
            : Inv($"Full run: {o.Repetitions} repetitions of each outage; tables give the median of the repetitions."));
        md.AppendLine();
        md.AppendLine("Regenerate: `" + Command + "` (full: about 15 minutes) or `" + Command + " -- --quick` (about 4 minutes). "
            + "Needs `npm ci` (dynalite) in the repository; the cold-start part publishes the functions with Native AOT (`--no-cold-start` skips it).");
        md.AppendLine();

        if (ours is not null && baseline is not null)
        {
            md.AppendLine(Inv($"**In short:** with the downstream hanging for {scenario.Outage.TotalSeconds:0} s under {o.Load.RequestsPerSecond:0} req/s, our breaker let {ours.DownstreamCallsWhileUnhealthy} calls through to the dead downstream against the original algorithm's {baseline.DownstreamCallsWhileUnhealthy} ({Ratio(ours.DownstreamCallsWhileUnhealthy, baseline.DownstreamCallsWhileUnhealthy)}×), ")
                + Inv($"spent {ours.FunctionSeconds:0.#} function-seconds against {baseline.FunctionSeconds:0.#} ({Ratio(ours.FunctionSeconds, baseline.FunctionSeconds)}×) and {ours.DynamoDbReads + ours.DynamoDbWrites} DynamoDB requests against {baseline.DynamoDbReads + baseline.DynamoDbWrites} ({Ratio(ours.DynamoDbReads + ours.DynamoDbWrites, baseline.DynamoDbReads + baseline.DynamoDbWrites)}×), ")
                + Inv($"with a p99 client latency of {ours.LatencyP99Ms:0} ms against {baseline.LatencyP99Ms:0} ms."));
            md.AppendLine();
        }

        Machine(md, report.Machine);
        Settings(md, o);
        if (ours is not null && baseline is not null)
        {
            Headline(md, ours, baseline, byVariant);
        }

        Runs(md, byVariant);
        FastFail(md, report.FastFail, o);
        Throughput(md, report.Throughput);
        ColdStart(md, report.ColdStart, report.ColdStartNote);
        if (byVariant.ContainsKey("ours") && byVariant.ContainsKey("baseline"))
        {
            Cost(md, byVariant, medians, o);
        }

        Baseline(md);
        Caveats(md, report.Machine);
        return md.ToString();
    }

    private static void Machine(StringBuilder md, MachineInfo m)
    {
        md.AppendLine("## Machine");
        md.AppendLine();
        md.AppendLine("| | |");
        md.AppendLine("|---|---|");
        md.AppendLine(Inv($"| CPU | {m.Cpu}, {m.Cores} cores visible ({m.Architecture}) |"));
        md.AppendLine(Inv($"| Memory | {m.MemoryGigabytes:0.0} GB |"));
        md.AppendLine(Inv($"| OS | {m.OperatingSystem} |"));
        md.AppendLine(Inv($"| .NET | {m.DotnetVersion} |"));
        md.AppendLine();
    }

    private static void Settings(StringBuilder md, BenchOptions o)
    {
        var s = o.Stack;
        var scenario = o.Scenario;
        md.AppendLine("## Settings");
        md.AppendLine();
        md.AppendLine("Times are scaled down from production (10 s timeout, 60 s window, 60 s open) so that an outage fits in minutes; the cost model below scales the measured per-request figures back up.");
        md.AppendLine();
        md.AppendLine("| Setting | Value |");
        md.AppendLine("|---|---|");
        md.AppendLine(Inv($"| Downstream timeout | {s.DownstreamTimeout.TotalSeconds:0.###} s |"));
        md.AppendLine(Inv($"| Failure threshold | {s.FailureThreshold} |"));
        md.AppendLine(Inv($"| Window | {s.Window.TotalSeconds:0.###} s |"));
        md.AppendLine(Inv($"| Open period (ours; the original has none) | {s.OpenDuration.TotalSeconds:0.###} s |"));
        md.AppendLine(o.StackKind == "local"
            ? "| Event delivery | the local EventBridge: delivered as soon as accepted, retried with backoff on failure |"
            : Inv($"| Event delivery delay (bus → recorder) | {s.EventDeliveryDelay.TotalMilliseconds:0} ms, no redelivery |"));
        md.AppendLine(Inv($"| Load | {o.Load.RequestsPerSecond:0} req/s open-loop over {o.Load.Clients} clients, at most {o.Load.MaxInFlight} in flight, client timeout {o.Load.ClientTimeout.TotalSeconds:0} s |"));
        md.AppendLine(Inv($"| Outage run | {scenario.Healthy.TotalSeconds:0} s healthy, {scenario.Outage.TotalSeconds:0} s hanging, {scenario.Recovery.TotalSeconds:0} s recovered |"));
        md.AppendLine(Inv($"| Repetitions | {o.Repetitions} per variant, alternating ours / baseline |"));
        md.AppendLine();
        md.AppendLine(o.StackKind == "local"
            ? "**The stack.** Each outage run starts the local host's system (`local/`, as `dotnet run --project local` composes it) with its own dynalite: "
                + "its HTTP API turns each request into a payload-format-2.0 event; its Lambda Runtime API hands it to a webservice instance (one invocation at a time per instance, a new instance when all are busy, each running the functions' runtime loop with its own memory); "
                + "failures go through the webservice's PutEvents client to the local EventBridge endpoint, whose rule delivers the envelope to a recorder instance; the downstream is the local simulator (switched between ok and hang). "
                + "Each instance is built from its environment as the bootstrap builds it (`FunctionInstance` for ours, the same SDK and PutEvents clients for the baseline). "
                + "The bench adds only measurement: a timing decorator around each instance's handler (function time = the sum of handler durations) and, per function, a counting reverse proxy in front of dynalite keyed by `X-Amz-Target` (every DynamoDB request, retries included)."
            : "**The stack.** Each run starts its own dynalite and downstream stub on loopback, and an in-process HTTP API that turns each request into a payload-format-2.0 event for a pool of webservice instances (one invocation at a time per instance, a new instance when all are busy, each with its own memory). "
                + "Failures go through an in-process bus that delivers the EventBridge envelope to a pool of recorder instances after the delivery delay. "
                + "The handlers, the breaker, the store and the DynamoDB SDK calls are the production code; the bus and the HTTP API are the bench's, and the Runtime API loop is not in the path. "
                + "Every DynamoDB request is counted at the HTTP level, function time is the sum of handler durations.");
        md.AppendLine();
        md.AppendLine("The fast-fail and throughput measurements below use the in-process stack (handlers called directly, or through the bench's in-process HTTP API), so that they measure the handler and not the local host's plumbing.");
        md.AppendLine();
    }

    private static void Headline(StringBuilder md, OutageSummary ours, OutageSummary baseline, Dictionary<string, List<OutageRunResult>> byVariant)
    {
        md.AppendLine("## Outage, side by side");
        md.AppendLine();
        md.AppendLine(Inv($"Medians over {byVariant["ours"].Count} run(s) of each. Ratio = ours / baseline (below 1: ours spends less)."));
        md.AppendLine();
        md.AppendLine("| Figure | Ours | Baseline (original algorithm) | Ratio |");
        md.AppendLine("|---|---:|---:|---:|");
        Row(md, "Calls that reached the dead downstream", ours.DownstreamCallsWhileUnhealthy, baseline.DownstreamCallsWhileUnhealthy, "0");
        Row(md, "Function-seconds (webservice + recorder)", ours.FunctionSeconds, baseline.FunctionSeconds, "0.0");
        Row(md, "  of which webservice", ours.WebserviceSeconds, baseline.WebserviceSeconds, "0.0");
        Row(md, "  of which recorder", ours.RecorderSeconds, baseline.RecorderSeconds, "0.00");
        Row(md, "Failure events published", ours.Events, baseline.Events, "0");
        Row(md, "DynamoDB reads", ours.DynamoDbReads, baseline.DynamoDbReads, "0");
        Row(md, "DynamoDB writes", ours.DynamoDbWrites, baseline.DynamoDbWrites, "0");
        Row(md, "Client latency p50 (ms)", ours.LatencyP50Ms, baseline.LatencyP50Ms, "0.0");
        Row(md, "Client latency p95 (ms)", ours.LatencyP95Ms, baseline.LatencyP95Ms, "0.0");
        Row(md, "Client latency p99 (ms)", ours.LatencyP99Ms, baseline.LatencyP99Ms, "0.0");
        Row(md, "Recovery → first success (s)", ours.RecoveryToFirstSuccessSeconds, baseline.RecoveryToFirstSuccessSeconds, "0.00");
        Row(md, "Requests answered", ours.Requests, baseline.Requests, "0");
        Row(md, "  relayed (2xx)", ours.Successes, baseline.Successes, "0");
        Row(md, "  failed fast (503)", ours.FailedFast, baseline.FailedFast, "0");
        Row(md, "  downstream failed (504/502)", ours.DownstreamFailed, baseline.DownstreamFailed, "0");
        Row(md, "  error / no answer", ours.Errors, baseline.Errors, "0");
        Row(md, "Webservice instances created", ours.WebserviceInstances, baseline.WebserviceInstances, "0");
        md.AppendLine();
        md.AppendLine("Latency percentiles are over every answered request of the run (healthy, outage and recovery). Recovery → first success: from the moment the downstream answers again to the first relayed answer of a request sent after it.");
        md.AppendLine();
        md.AppendLine("Recovery is where the original is quicker: it calls the downstream again as soon as its counted failures expire (every window, whatever the downstream's state: that is also why it sends a wave of calls into the dead downstream each window), while ours waits for the next probe, up to one open period after the recovery. Where the recovery falls within those cycles is chance, so this figure varies from run to run for both; shortening the open period trades more probes for a quicker recovery.");
        md.AppendLine();
        md.AppendLine($"![Outage timeline]({TimelineFile})");
        md.AppendLine();
        md.AppendLine("The timeline shows the first repetition of each: answers per second by outcome (bars, by the second the request was sent), p99 latency per second (line), and the circuit's state as stored (band: for ours the state item; for the baseline, whether the index holds at least the threshold of unexpired failures).");
        md.AppendLine();
    }

    private static void Runs(StringBuilder md, Dictionary<string, List<OutageRunResult>> byVariant)
    {
        md.AppendLine("### Every run");
        md.AppendLine();
        md.AppendLine("| Variant | Run | Downstream calls while hanging | Function-s | Reads | Writes | Events | p50 ms | p99 ms | Recovery → success s | Shed by driver |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var run in byVariant.Values.SelectMany(v => v).OrderBy(r => r.Repetition).ThenBy(r => r.Variant, StringComparer.Ordinal))
        {
            var s = OutageSummary.Of(run);
            md.AppendLine(Inv($"| {run.Variant} | {run.Repetition} | {s.DownstreamCallsWhileUnhealthy} | {s.FunctionSeconds:0.0} | {s.DynamoDbReads} | {s.DynamoDbWrites} | {s.Events} | {s.LatencyP50Ms:0.0} | {s.LatencyP99Ms:0.0} | {s.RecoveryToFirstSuccessSeconds:0.00} | {run.ShedByDriver} |"));
        }

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

        md.AppendLine("A request while the circuit is open, against the failing call it replaces. Handler time: direct invocations of a webservice instance, one after another (no concurrency). End to end: sequential requests through the in-process HTTP API.");
        md.AppendLine();
        md.AppendLine("| Path | Samples | Handler p50 ms | Handler p99 ms | End-to-end p50 ms | End-to-end p99 ms | DynamoDB reads / request |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            md.AppendLine(Inv($"| {r.Path} | {r.Samples} | {r.HandlerP50Ms:0.000} | {r.HandlerP99Ms:0.000} | {Num(r.EndToEndP50Ms, "0.000")} | {Num(r.EndToEndP99Ms, "0.000")} | {Num(r.DynamoDbReadsPerRequest, "0.##")} |"));
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

        md.AppendLine("Closed-loop clients hammer the open circuit through the in-process HTTP API until the machine saturates. CPU per request is the bench process's CPU time (client, HTTP API and handlers together — an upper bound for the handler) and dynalite's (node) CPU time, divided by the requests.");
        md.AppendLine();
        md.AppendLine("| Variant | Concurrency | Seconds | Requests | Requests/s | Bench CPU µs / request | dynalite CPU µs / request | Share failed fast |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            md.AppendLine(Inv($"| {r.Variant} | {r.Concurrency} | {r.Duration.TotalSeconds:0.0} | {r.Requests} | {r.RequestsPerSecond:0} | {r.BenchCpuMicrosecondsPerRequest:0} | {r.DynaliteCpuMicrosecondsPerRequest:0} | {r.FastFailShare:P1} |"));
        }

        var ours = results.FirstOrDefault(r => r.Variant == "ours");
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

    private static void Cost(StringBuilder md, Dictionary<string, List<OutageRunResult>> byVariant, Dictionary<string, OutageSummary> medians, BenchOptions o)
    {
        md.AppendLine("## Cost of a real outage");
        md.AppendLine();
        md.AppendLine(Inv($"10 minutes of a hanging downstream at 50 req/s, 10 s timeout, 256 MB arm64 functions, threshold {o.Stack.FailureThreshold}, 60 s window and open period; EventBridge-to-recorder delivery assumed {ProductionDeliveryDelay.TotalSeconds:0} s. "));
        md.AppendLine("Calls into the dead downstream follow from each design (each costs a full timeout of function time); everything else is the per-request figures measured above.");
        md.AppendLine();
        var designs = new[] { ("ours", AdmissionDesign.OpenThenSingleProbe), ("baseline", AdmissionDesign.CountRecentFailures) };
        var units = designs.ToDictionary(d => d.Item1, d => UnitCostsMeasured.From(byVariant[d.Item1]));

        md.AppendLine("Measured per-request figures (medians over the runs):");
        md.AppendLine();
        md.AppendLine("| | Ours | Baseline |");
        md.AppendLine("|---|---:|---:|");
        md.AppendLine(Inv($"| Webservice time of a fast-failed request (mean, ms) | {units["ours"].FastFailMilliseconds:0.000} | {units["baseline"].FastFailMilliseconds:0.000} |"));
        md.AppendLine(Inv($"| Recorder time per event (mean, ms) | {units["ours"].RecorderMilliseconds:0.00} | {units["baseline"].RecorderMilliseconds:0.00} |"));
        md.AppendLine(Inv($"| Read request units per webservice request during the outage | {units["ours"].ReadUnitsPerWebserviceRequest:0.0000} | {units["baseline"].ReadUnitsPerWebserviceRequest:0.0000} |"));
        md.AppendLine(Inv($"| Read request units per recorded event | {units["ours"].ReadUnitsPerEvent:0.00} | {units["baseline"].ReadUnitsPerEvent:0.00} |"));
        md.AppendLine(Inv($"| Write request units per recorded event | {units["ours"].WriteUnitsPerEvent:0.00} | {units["baseline"].WriteUnitsPerEvent:0.00} |"));
        md.AppendLine();
        md.AppendLine("Read units: ours reads strongly consistently (1 RRU per read of a small item), the original's GSI query is eventually consistent (0.5 RRU). Write units: the original's failure item is also written to its index (2 WRU).");
        md.AppendLine();

        // The model checked against this run's scaled outage.
        md.AppendLine("Check of the call model against the scaled runs:");
        md.AppendLine();
        md.AppendLine("| Design | Modelled calls into the dead downstream | Measured (median) |");
        md.AppendLine("|---|---:|---:|");
        foreach (var (name, design) in designs)
        {
            var scaled = new OutageProfile(
                o.Scenario.Outage, o.Load.RequestsPerSecond, o.Stack.DownstreamTimeout, 256, o.Stack.Window, o.Stack.OpenDuration,
                (o.StackKind == "local" ? TimeSpan.Zero : o.Stack.EventDeliveryDelay) + TimeSpan.FromMilliseconds(units[name].RecorderMilliseconds));
            md.AppendLine(Inv($"| {name} | {CostModel.DownstreamCalls(design, scaled):0} | {medians[name].DownstreamCallsWhileUnhealthy} |"));
        }

        md.AppendLine();
        var profile = OutageProfile.Production(ProductionDeliveryDelay);
        var usage = designs.ToDictionary(d => d.Item1, d => CostModel.Usage(d.Item2, profile, units[d.Item1]));
        var bills = usage.ToDictionary(kv => kv.Key, kv => CostModel.Bill(kv.Value));
        md.AppendLine("| Usage in the 10-minute outage | Ours | Baseline | Ratio |");
        md.AppendLine("|---|---:|---:|---:|");
        Row(md, "Requests", usage["ours"].Requests, usage["baseline"].Requests, "0");
        Row(md, "Calls into the dead downstream", usage["ours"].DownstreamCalls, usage["baseline"].DownstreamCalls, "0");
        Row(md, "Failure events", usage["ours"].Events, usage["baseline"].Events, "0");
        Row(md, "Function-seconds", usage["ours"].FunctionSeconds, usage["baseline"].FunctionSeconds, "0");
        Row(md, "GB-seconds", usage["ours"].GigabyteSeconds, usage["baseline"].GigabyteSeconds, "0");
        Row(md, "DynamoDB read request units", usage["ours"].ReadRequestUnits, usage["baseline"].ReadRequestUnits, "0");
        Row(md, "DynamoDB write request units", usage["ours"].WriteRequestUnits, usage["baseline"].WriteRequestUnits, "0");
        md.AppendLine();
        md.AppendLine("| Bill (USD) | Ours | Baseline | Ratio |");
        md.AppendLine("|---|---:|---:|---:|");
        Money(md, "Lambda requests", bills["ours"].LambdaRequests, bills["baseline"].LambdaRequests);
        Money(md, "Lambda duration (arm64)", bills["ours"].LambdaDuration, bills["baseline"].LambdaDuration);
        Money(md, "HTTP API requests", bills["ours"].HttpApi, bills["baseline"].HttpApi);
        Money(md, "EventBridge custom events", bills["ours"].EventBridge, bills["baseline"].EventBridge);
        Money(md, "DynamoDB reads", bills["ours"].DynamoDbReads, bills["baseline"].DynamoDbReads);
        Money(md, "DynamoDB writes", bills["ours"].DynamoDbWrites, bills["baseline"].DynamoDbWrites);
        Money(md, "**Total**", bills["ours"].Total, bills["baseline"].Total);
        md.AppendLine();
        md.AppendLine("Prices (US East, N. Virginia; free tiers ignored). AWS's own pricing pages render their rates client-side, so the stored copies carry no numbers; each rate is taken from a source that quotes it:");
        md.AppendLine();
        md.AppendLine("| Item | Price | Source | Source's date |");
        md.AppendLine("|---|---|---|---|");
        foreach (var price in AwsPrices.All)
        {
            var perMillion = price.UsdPerUnit * 1_000_000;
            var shown = price.Unit == "GB-second" ? Inv($"${price.UsdPerUnit:0.0000000000} per GB-second") : Inv($"${perMillion:0.000} per million {price.Unit}s");
            md.AppendLine(Inv($"| {price.Item} | {shown} | {price.Source} | {price.SourceDate} |"));
        }

        md.AppendLine();
    }

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
        md.AppendLine(Inv($"- The machine has {m.Cores} cores shared by the load generator, the HTTP API, the functions, the downstream stub and dynalite (node). The load (50 req/s) is far below saturation, so the outage figures measure the designs, not the machine; absolute latencies are loopback latencies, not AWS's."));
        md.AppendLine("- dynalite is not DynamoDB: its latency is loopback latency and it does not throttle; the request counts and units are what DynamoDB would bill, the times are not what it would take.");
        md.AppendLine("- Function time is measured in process around each handler invocation; Lambda bills the same span (rounded up to the millisecond, which matters only for the sub-millisecond fast-fail path).");
        md.AppendLine("- Events are delivered within milliseconds on loopback; EventBridge takes longer (the cost model assumes 1 s), which widens every first wave of calls for both designs. No event was redelivered in these runs; a redelivery would count twice in the baseline only.");
        md.AppendLine();
    }

    private static void Row(StringBuilder md, string name, double ours, double baseline, string format) =>
        md.AppendLine(Inv($"| {name} | {Num(ours, format)} | {Num(baseline, format)} | {Ratio(ours, baseline)} |"));

    private static void Money(StringBuilder md, string name, decimal ours, decimal baseline) =>
        md.AppendLine(Inv($"| {name} | {ours:0.0000} | {baseline:0.0000} | {Ratio((double)ours, (double)baseline)} |"));

    internal static string Ratio(double ours, double baseline) =>
        double.IsNaN(ours) || double.IsNaN(baseline) || baseline == 0 ? "—" : (ours / baseline).ToString(ours / baseline < 0.1 ? "0.000" : "0.00", CultureInfo.InvariantCulture);

    private static string Num(double value, string format) => double.IsNaN(value) ? "—" : value.ToString(format, CultureInfo.InvariantCulture);

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
