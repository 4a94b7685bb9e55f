using CircuitBreaker.Bench;
using CircuitBreaker.Bench.Metrics;
using CircuitBreaker.Bench.Micro;
using CircuitBreaker.Bench.Report;
using static CircuitBreaker.Tests.Bench.Support.SyntheticRuns;

namespace CircuitBreaker.Tests.Bench.Report;

public sealed class ReportWriterTests
{
    private static readonly MachineInfo Machine = new(2, "test CPU", 24, "test OS", ".NET test", "X64");

    [Fact]
    public void TheGoalTableSaysWhichVariantReachesAFiftiethOfTheDeadCallsAndWhy()
    {
        var markdown = Render(
            Run("baseline", deadCalls: 1000, webserviceSeconds: 1000),
            Run("ours-count", deadCalls: 70, webserviceSeconds: 70),
            Run("ours-slow", deadCalls: 30, webserviceSeconds: 30),
            Run("ours-backoff", deadCalls: 55, webserviceSeconds: 55),
            Run("ours-slow-backoff", deadCalls: 15, webserviceSeconds: 15));

        Assert.Contains("| ours, count | 0.0700 | no | 0.0700 | no |", markdown, StringComparison.Ordinal);
        Assert.Contains("| ours, slow + backoff | 0.0150 | yes | 0.0150 | yes |", markdown, StringComparison.Ordinal);
        Assert.Contains("reached by ours, slow + backoff only", markdown, StringComparison.Ordinal);

        // Count mode's first wave (50 req/s × at least the 1 s timeout) is above 1000 / 50 = 20 calls.
        var countRow = markdown.Split('\n').Single(l => l.StartsWith("| ours, count | 0.0700", StringComparison.Ordinal));
        Assert.Contains("first wave alone", countRow, StringComparison.Ordinal);
    }

    [Fact]
    public void TheNoiseTableGivesEachVariantsOpeningsAndRefusals()
    {
        IReadOnlyList<CircuitBreaker.Bench.Load.RequestSample> requests = [Request(20, 503), Request(21, 503), Request(30, 200)];
        var markdown = Render(
            Run("baseline", deadCalls: 100),
            Run("ours-count", deadCalls: 10),
            Run("baseline", "noise", requests: requests, states: [State(0, "closed"), State(20, "open"), State(22, "closed"), State(40, "open")]),
            Run("ours-count", "noise", requests: requests, states: [State(0, "closed"), State(20, "open")]),
            Run("ours-ratio", "noise", requests: [Request(20, 200), Request(21, 200), Request(30, 200)],
                atRecovery: new DynamoDbCounts(0, 3, 0, 0)));

        Assert.Contains("| original | 3 | 0 | 2 | 2 |", markdown, StringComparison.Ordinal);
        Assert.Contains("| ours, count | 3 | 0 | 1 | 2 |", markdown, StringComparison.Ordinal);
        Assert.Contains("| ours, ratio 0.1 | 3 | 0 | 0 | 0 | 1.0000 |", markdown, StringComparison.Ordinal);
        Assert.Contains("original opened 2 times and refused 2 requests", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void AReportWrittenFromTheSavedMeasurementsIsTheSameReport()
    {
        var report = Report(
            Run("baseline", deadCalls: 1000, webserviceSeconds: 1000),
            Run("ours-count", deadCalls: 70, webserviceSeconds: 70),
            Run("ours-ratio", "noise", requests: [Request(20, 200), Request(21, 503)], states: [State(0, "closed"), State(20, "open")]));

        var again = RunArchive.Deserialize(RunArchive.Serialize(report));

        Assert.Equal(ReportWriter.Render(report), ReportWriter.Render(again));
        Assert.Equal(3, again.OutageRuns.Count);
        Assert.Equal("noise", again.OutageRuns[2].Scenario);
    }

    [Fact]
    public void TheMicroBenchmarksAreReportedFromBenchmarkDotNetsFiguresAndKeptInTheArchive()
    {
        MicroResult[] micro =
        [
            new("RouteMatching", "match a path", "Routes=20", 87.2, 85.5, 1.2, 0),
            new("FastFail", "open circuit, warm instance: handler", "Variant=ours-count", 23_456.7, 23_000, 120, 5_432),
            new("NewInstanceFastFail", "open circuit, new instance: first invocation (reads the state)", string.Empty, 1_234_567, 1_200_000, 9_000, null),
        ];
        var report = Report(Run("baseline", deadCalls: 10)) with { Micro = micro };

        var markdown = ReportWriter.Render(report);
        var again = RunArchive.Deserialize(RunArchive.Serialize(report));

        Assert.Contains("| RouteMatching | match a path | Routes=20 | 87.2 ns | 85.5 ns | 1.2 ns | 0 B |", markdown, StringComparison.Ordinal);
        Assert.Contains("| FastFail | open circuit, warm instance: handler | Variant=ours-count | 23.46 µs | 23.00 µs | 120.0 ns | 5,432 B |", markdown, StringComparison.Ordinal);
        Assert.Contains("| 1.235 ms | 1.200 ms | 9.00 µs | — |", markdown, StringComparison.Ordinal);
        Assert.Equal(markdown, ReportWriter.Render(again));
    }

    [Fact]
    public void AReportWithoutMicroBenchmarksSaysSo()
    {
        var markdown = Render(Run("baseline", deadCalls: 10));

        Assert.Contains("## Micro-benchmarks\n\nNot measured in this run.", markdown.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [Fact]
    public void AFigureWithoutARatioShowsNoBrackets()
    {
        Assert.Equal("0", Markdown.WithRatio(0, 0, "0", isBaseline: false));
        Assert.Equal("5 (0.50×)", Markdown.WithRatio(5, 10, "0", isBaseline: false));
        Assert.Equal("10", Markdown.WithRatio(10, 10, "0", isBaseline: true));
    }

    private static BenchReport Report(params OutageRunResult[] runs) =>
        new(new BenchOptions { ColdStart = false }, Machine, DateTimeOffset.UnixEpoch, TimeSpan.FromMinutes(1), runs, [], [], [], "skipped", [1.5]);

    private static string Render(params OutageRunResult[] runs) => ReportWriter.Render(Report(runs));
}
