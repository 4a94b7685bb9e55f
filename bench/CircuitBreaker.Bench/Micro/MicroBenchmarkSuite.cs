using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using CircuitBreaker.Bench.Micro.Benchmarks;

namespace CircuitBreaker.Bench.Micro;

/// <summary>
/// The micro-benchmarks on BenchmarkDotNet with its memory diagnoser: a short job (3 warm-up and 3 measured
/// iterations, one launch) run in this process. In process because the fast-fail and DynamoDB cases start dynalite and
/// the local host's system in their setup, which is this assembly's own code, and because BenchmarkDotNet's default
/// toolchain would generate and build a project per run, minutes on a small shared machine for no better numbers here.
/// The bench must then run optimised (<c>-c Release</c>), which BenchmarkDotNet checks.
/// </summary>
internal static class MicroBenchmarkSuite
{
    /// <summary>Every micro-benchmark, in the report's order.</summary>
    public static IReadOnlyList<Type> All { get; } =
    [
        typeof(FastFailBenchmarks), typeof(NewInstanceFastFailBenchmarks), typeof(PollyOverheadBenchmarks),
        typeof(MetricsOverheadBenchmarks), typeof(RouteMatchingBenchmarks), typeof(HeaderWorkBenchmarks),
    ];

    /// <summary>The open-circuit handler's benchmarks alone, for <c>--open-circuit-only</c>.</summary>
    public static IReadOnlyList<Type> FastFail { get; } = [typeof(FastFailBenchmarks), typeof(NewInstanceFastFailBenchmarks)];

    /// <summary>Where BenchmarkDotNet writes its logs and exported tables: the bench's obj folder.</summary>
    public static string ArtifactsDirectory(string repositoryRoot) =>
        Path.Combine(repositoryRoot, "bench", "CircuitBreaker.Bench", "obj", "benchmarkdotnet");

    /// <summary>Runs <paramref name="benchmarks"/>, BenchmarkDotNet's log and tables going to <paramref name="output"/>.</summary>
    public static IReadOnlyList<MicroResult> Run(IEnumerable<Type> benchmarks, string artifactsDirectory, TextWriter output)
    {
        var config = ManualConfig.CreateEmpty()
            .AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance))
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .AddLogger(new TextWriterLogger(output))
            .AddExporter(BenchmarkDotNet.Exporters.MarkdownExporter.GitHub)
            .WithArtifactsPath(artifactsDirectory);

        // One summary per class, in the order given: the report's table follows it.
        var summaries = BenchmarkRunner.Run([.. benchmarks], config);
        return [.. summaries.SelectMany(Results)];
    }

    private static IEnumerable<MicroResult> Results(Summary summary)
    {
        foreach (var report in summary.Reports)
        {
            var statistics = report.ResultStatistics;
            if (statistics is null)
            {
                continue;
            }

            var benchmark = report.BenchmarkCase;
            var suite = benchmark.Descriptor.Type.Name.Replace("Benchmarks", string.Empty, StringComparison.Ordinal);
            long? allocated = report.GcStats.GetBytesAllocatedPerOperation(benchmark);
            yield return new MicroResult(
                suite,
                benchmark.Descriptor.WorkloadMethodDisplayInfo.Trim('\''),
                benchmark.HasParameters ? benchmark.Parameters.PrintInfo : string.Empty,
                statistics.Mean,
                statistics.Median,
                statistics.StandardError,
                allocated);
        }
    }

    /// <summary>BenchmarkDotNet's log, written to the bench's own output.</summary>
    private sealed class TextWriterLogger(TextWriter output) : ILogger
    {
        public string Id => nameof(TextWriterLogger);

        public int Priority => 0;

        public void Write(LogKind logKind, string text) => output.Write(text);

        public void WriteLine() => output.WriteLine();

        public void WriteLine(LogKind logKind, string text) => output.WriteLine(text);

        public void Flush() => output.Flush();
    }
}
