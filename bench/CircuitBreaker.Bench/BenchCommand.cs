using System.Diagnostics;
using CircuitBreaker.Bench.Load;
using CircuitBreaker.Bench.Metrics;
using CircuitBreaker.Bench.Micro;
using CircuitBreaker.Bench.Report;
using CircuitBreaker.Bench.Stack;
using CircuitBreaker.Contract;

namespace CircuitBreaker.Bench;

/// <summary>Runs every measurement in turn, printing progress, and writes the report.</summary>
internal static class BenchCommand
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, CancellationToken cancellationToken)
    {
        BenchOptions options;
        try
        {
            options = BenchOptions.Parse(args);
        }
        catch (ArgumentException error)
        {
            await output.WriteLineAsync(error.Message).ConfigureAwait(false);
            return 2;
        }

        var root = RepositoryRoot.Find(AppContext.BaseDirectory) ?? RepositoryRoot.Find(Directory.GetCurrentDirectory());
        if (root is null)
        {
            await output.WriteLineAsync($"{RepositoryRoot.MarkerFile} not found above the bench's folder or the working directory: run the bench from a checkout.").ConfigureAwait(false);
            return 2;
        }

        var outputDirectory = options.OutputDirectory ?? Path.Combine(root, "docs");
        if (options.RenderFrom is { } archive)
        {
            var saved = RunArchive.Deserialize(await File.ReadAllTextAsync(archive, cancellationToken).ConfigureAwait(false));
            await WriteReportAsync(saved, outputDirectory, output, cancellationToken).ConfigureAwait(false);
            return 0;
        }

        var startedAt = DateTimeOffset.UtcNow;
        var started = Stopwatch.GetTimestamp();
        if (options.ClosedCircuitOnly)
        {
            return await ClosedCircuitCommand.RunAsync(options, root, output, cancellationToken).ConfigureAwait(false);
        }

        bool Selected(BreakerVariant v) => !options.ColdStartOnly && !options.MicroOnly && options.Runs(v.Name);
        bool Outages(BreakerVariant v) => Selected(v) && !options.OpenCircuitOnly;
        var hangVariants = Aged(HangVariants().Where(Outages), options.ClosedStateMaxAges).ToList();
        var noiseVariants = options.HangOnly ? [] : Aged(NoiseVariants().Where(Outages), options.ClosedStateMaxAges).ToList();
        var openCircuitVariants = options.HangOnly ? [] : HangVariants().Where(v => Selected(v) && (v.IsBaseline || v.Name == "ours-count")).ToList();
        var loads = new List<double> { LoadAverage.OneMinute() };
        await output.WriteLineAsync(
            $"Bench: hang {Names(hangVariants)} × {options.Repetitions}; noise {Names(noiseVariants)} × {options.NoiseRepetitions}; open circuit {Names(openCircuitVariants)}; report to {outputDirectory}")
            .ConfigureAwait(false);

        // The JIT compiles each code path on first use, process-wide: a short throwaway outage first, so that no
        // measured first wave pays for compiling its failure path. Ours' code paths are shared by its modes; the
        // one with slow calls and backoff runs the most of them.
        var warmUps = hangVariants.Where(v => v.IsBaseline).Concat(hangVariants.Where(v => !v.IsBaseline).TakeLast(1))
            .Concat(noiseVariants.Where(v => v.Name == "ours-ratio"));
        foreach (var variant in warmUps)
        {
            await output.WriteLineAsync($"Warm-up: {variant.Name}").ConfigureAwait(false);
            await using var warmStack = await MeasuredLocalSystem.StartAsync(variant, options.Stack, root, cancellationToken).ConfigureAwait(false);
            var warmUp = new OutageScenario(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(3), options.Load, DownstreamFault.Hang);
            await warmUp.RunAsync(warmStack, 0, TextWriter.Null, cancellationToken).ConfigureAwait(false);
        }

        var runs = new List<OutageRunResult>();
        for (var repetition = 1; repetition <= options.Repetitions; repetition++)
        {
            foreach (var variant in hangVariants)
            {
                loads.Add(LoadAverage.OneMinute());
                runs.Add(await RunScenarioAsync(variant, options.Scenario, options, root, repetition, options.Repetitions, output, cancellationToken).ConfigureAwait(false));
            }
        }

        for (var repetition = 1; repetition <= options.NoiseRepetitions; repetition++)
        {
            foreach (var variant in noiseVariants)
            {
                loads.Add(LoadAverage.OneMinute());
                runs.Add(await RunScenarioAsync(variant, options.NoiseScenario(repetition), options, root, repetition, options.NoiseRepetitions, output, cancellationToken).ConfigureAwait(false));
            }
        }

        var fastFail = new List<FastFailResult>();
        var throughput = new List<ThroughputResult>();
        foreach (var variant in openCircuitVariants)
        {
            await output.WriteLineAsync($"Open circuit: {variant.Name}").ConfigureAwait(false);
            var (ff, tp) = await OpenCircuitAsync(variant, options, root, output, cancellationToken).ConfigureAwait(false);
            fastFail.AddRange(ff);
            throughput.Add(tp);
        }

        IReadOnlyList<ColdStartResult> coldStart = [];
        string? coldStartNote = "Skipped (`--no-cold-start`).";
        if (options.ColdStart)
        {
            await output.WriteLineAsync("Cold start").ConfigureAwait(false);
            (coldStart, coldStartNote) = await ColdStartBench.RunAsync(root, options.Quick ? 3 : 5, output, cancellationToken).ConfigureAwait(false);
        }

        IReadOnlyList<MicroResult> micro = [];
        if (options.Micro)
        {
            await output.WriteLineAsync("Micro-benchmarks (BenchmarkDotNet)").ConfigureAwait(false);
            micro = MicroBenchmarkSuite.Run(
                options.OpenCircuitOnly ? MicroBenchmarkSuite.FastFail : MicroBenchmarkSuite.All, MicroBenchmarkSuite.ArtifactsDirectory(root), output);
        }

        var report = new BenchReport(
            options, MachineInfo.Current(), startedAt, Stopwatch.GetElapsedTime(started), runs, fastFail, throughput, coldStart, coldStartNote,
            [.. loads, LoadAverage.OneMinute()], micro);
        var archivePath = Path.Combine(Path.GetTempPath(), $"circuit-breaker-bench-{startedAt:yyyyMMdd-HHmmss}.json");
        await File.WriteAllTextAsync(archivePath, RunArchive.Serialize(report), cancellationToken).ConfigureAwait(false);
        await output.WriteLineAsync($"Measurements saved to {archivePath} (--render-from writes the report again from them).").ConfigureAwait(false);
        await WriteReportAsync(report, outputDirectory, output, cancellationToken).ConfigureAwait(false);
        await output.WriteLineAsync($"Done in {Stopwatch.GetElapsedTime(started).TotalMinutes:0.0} minutes.").ConfigureAwait(false);
        return 0;
    }

    // Each of ours' variants once per age, side by side; the baseline as it is.
    private static IEnumerable<BreakerVariant> Aged(IEnumerable<BreakerVariant> variants, IReadOnlyList<TimeSpan>? ages) =>
        ages is null
            ? variants
            : variants.SelectMany(v => v is OursVariant ours ? ages.Select(age => (BreakerVariant)ours.WithClosedStateMaxAge(age)) : [v]);

    private static string Names(IEnumerable<BreakerVariant> variants) =>
        variants.Any() ? string.Join(", ", variants.Select(v => v.Name)) : "none";

    private static async Task WriteReportAsync(BenchReport report, string outputDirectory, TextWriter output, CancellationToken cancellationToken)
    {
        var runs = report.OutageRuns;
        Directory.CreateDirectory(outputDirectory);
        var markdown = Path.Combine(outputDirectory, "performance.md");
        var previous = File.Exists(markdown) ? await File.ReadAllTextAsync(markdown, cancellationToken).ConfigureAwait(false) : string.Empty;
        await File.WriteAllTextAsync(markdown, KeepClosedCircuitSection(ReportWriter.Render(report), previous), cancellationToken).ConfigureAwait(false);
        var firstHangs = runs.Where(r => r.Repetition == 1 && r.Scenario == DownstreamFault.Hang.Scenario).ToList();
        if (firstHangs.Count > 0)
        {
            await File.WriteAllTextAsync(
                Path.Combine(outputDirectory, ReportWriter.TimelineFile),
                TimelineSvg.Render(firstHangs, "Hang: the original's algorithm and ours in each mode, same load, same outage"),
                cancellationToken).ConfigureAwait(false);
        }

        var firstNoise = runs.Where(r => r.Repetition == 1 && r.Scenario != DownstreamFault.Hang.Scenario).ToList();
        if (firstNoise.Count > 0)
        {
            await File.WriteAllTextAsync(
                Path.Combine(outputDirectory, ReportWriter.NoiseTimelineFile),
                TimelineSvg.Render(firstNoise, "Noisy healthy service: 0.5 % of calls fail at random, no outage"),
                cancellationToken).ConfigureAwait(false);
        }

        await output.WriteLineAsync($"Wrote {markdown}.").ConfigureAwait(false);
    }

    /// <summary>The heading of the closed circuit's tables (<c>--closed-circuit-only</c>), which the report does not render.</summary>
    internal const string ClosedCircuitHeading = "## Closed circuit: reads per request, a hot circuit, and the hang again (issue 20)";

    // The closed circuit's section is measured by its own command and pasted in: a regeneration keeps it where it was,
    // before the fast-fail cost, rather than dropping it.
    internal static string KeepClosedCircuitSection(string rendered, string previous)
    {
        var start = previous.IndexOf(ClosedCircuitHeading, StringComparison.Ordinal);
        if (start < 0)
        {
            return rendered;
        }

        var end = previous.IndexOf("\n## ", start + ClosedCircuitHeading.Length, StringComparison.Ordinal);
        var section = previous[start..(end < 0 ? previous.Length : end + 1)];
        var at = rendered.IndexOf("## Fast-fail cost", StringComparison.Ordinal);
        return at < 0 ? rendered.TrimEnd() + "\n\n" + section : rendered[..at] + section + rendered[at..];
    }

    private static async Task<OutageRunResult> RunScenarioAsync(
        BreakerVariant variant, OutageScenario scenario, BenchOptions options, string root, int repetition, int repetitions, TextWriter output, CancellationToken cancellationToken)
    {
        await output.WriteLineAsync($"{scenario.Fault.Scenario} run {repetition}/{repetitions}: {variant.Name} ({scenario.Total.TotalSeconds:0} s)").ConfigureAwait(false);
        await using var stack = await MeasuredLocalSystem.StartAsync(variant, options.Stack, root, cancellationToken).ConfigureAwait(false);
        var run = await scenario.RunAsync(stack, repetition, output, cancellationToken).ConfigureAwait(false);
        var s = OutageSummary.Of(run);
        await output.WriteLineAsync(
            $"  done: {s.Requests} requests, downstream calls while faulty {s.DownstreamCallsWhileUnhealthy}, function-seconds {s.FunctionSeconds:0.0}, "
            + $"DynamoDB reads/writes {s.DynamoDbReads}/{s.DynamoDbWrites}, p50/p99 {s.LatencyP50Ms:0.0}/{s.LatencyP99Ms:0} ms, recovery → first success {s.RecoveryToFirstSuccessSeconds:0.00} s, "
            + $"opened {CircuitOpenings.Count(run.States)} times, refused {s.FailedFast}")
            .ConfigureAwait(false);
        return run;
    }

    private static async Task<(List<FastFailResult> FastFail, ThroughputResult Throughput)> OpenCircuitAsync(
        BreakerVariant variant, BenchOptions options, string root, TextWriter output, CancellationToken cancellationToken)
    {
        await using var system = await MeasuredLocalSystem.StartAsync(variant, OpenCircuitBench.SettingsFrom(options.Stack), root, cancellationToken).ConfigureAwait(false);
        var failing = await OpenCircuitBench.OpenAsync(system, output, cancellationToken).ConfigureAwait(false);
        var samples = options.Quick ? 100 : 500;
        var e2eSamples = options.Quick ? 300 : 1000;
        var url = new Uri(system.ApiBaseAddress, "/bench");
        var results = new List<FastFailResult>
        {
            new($"{variant.Name}: failing call (downstream hangs, timeout)", failing.Count, Percentiles.Of(failing, 50), Percentiles.Of(failing, 99), double.NaN, double.NaN, double.NaN),
        };

        var warm = await OpenCircuitBench.ReadsPerRequestAsync(system, $"{variant.Name}: open, warm instance", false, samples, cancellationToken).ConfigureAwait(false);
        var (p50, p99) = await OpenCircuitBench.EndToEndAsync(url, e2eSamples, cancellationToken).ConfigureAwait(false);
        results.Add(warm with { EndToEndP50Ms = p50, EndToEndP99Ms = p99 });
        await output.WriteLineAsync($"  warm instance: end-to-end p50 {p50:0.000} ms, reads/request {warm.DynamoDbReadsPerRequest:0.##}").ConfigureAwait(false);

        if (!variant.IsBaseline)
        {
            var fresh = await OpenCircuitBench.ReadsPerRequestAsync(system, $"{variant.Name}: open, new instance (reads the state)", true, samples / 2, cancellationToken).ConfigureAwait(false);
            system.NewInstancePerRequest = true;
            var (cp50, cp99) = await OpenCircuitBench.EndToEndAsync(url, e2eSamples / 2, cancellationToken).ConfigureAwait(false);
            system.NewInstancePerRequest = false;
            results.Add(fresh with { EndToEndP50Ms = cp50, EndToEndP99Ms = cp99 });
            await output.WriteLineAsync($"  new instance: end-to-end p50 {cp50:0.000} ms, reads/request {fresh.DynamoDbReadsPerRequest:0.##}").ConfigureAwait(false);
        }

        var throughput = await OpenCircuitBench.SaturateAsync(
            system, concurrency: 32, duration: TimeSpan.FromSeconds(options.Quick ? 5 : 15), cancellationToken).ConfigureAwait(false);
        await output.WriteLineAsync($"  saturation: {throughput.RequestsPerSecond:0} req/s, {throughput.BenchCpuMicrosecondsPerRequest:0} µs bench CPU + {throughput.DynaliteCpuMicrosecondsPerRequest:0} µs dynalite CPU per request").ConfigureAwait(false);
        return (results, throughput);
    }

    /// <summary>The hang's variants: the original, then ours in count mode, with slow calls, with backoff, and with both.</summary>
    internal static IReadOnlyList<BreakerVariant> HangVariants() =>
        [new BaselineVariant(), OursVariant.Count(), OursVariant.SlowCalls(), OursVariant.Backoff(), OursVariant.SlowCallsAndBackoff()];

    /// <summary>The noisy service's variants: the original, ours in count mode and in ratio mode.</summary>
    internal static IReadOnlyList<BreakerVariant> NoiseVariants() =>
        [new BaselineVariant(), OursVariant.Count(), OursVariant.Ratio()];
}
