using CircuitBreaker.Bench;
using CircuitBreaker.Bench.Report;

namespace CircuitBreaker.Tests.Bench;

public sealed class BenchOptionsTests
{
    [Fact]
    public void OpenCircuitOnlyLeavesOutTheOutagesAndTheColdStart()
    {
        var options = BenchOptions.Parse(["--cold-start-only", "--open-circuit-only"]);

        Assert.True(options.OpenCircuitOnly);
        Assert.False(options.ColdStartOnly);
        Assert.False(options.ColdStart);
    }

    [Fact]
    public void MicroOnlyRunsTheMicroBenchmarksAlone()
    {
        var options = BenchOptions.Parse(["--open-circuit-only", "--micro-only"]);

        Assert.True(options.MicroOnly);
        Assert.True(options.Micro);
        Assert.False(options.OpenCircuitOnly);
        Assert.False(options.ColdStart);
    }

    [Fact]
    public void TheMicroBenchmarksRunByDefaultAndNoMicroSkipsThem()
    {
        Assert.True(BenchOptions.Parse([]).Micro);
        Assert.False(BenchOptions.Parse(["--no-micro"]).Micro);
        Assert.False(BenchOptions.Parse(["--cold-start-only"]).Micro);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("three")]
    [InlineData("2.5")]
    public void ACountIsAWholeNumberOfAtLeastOne(string given)
    {
        var error = Assert.Throws<ArgumentException>(() => BenchOptions.Parse(["--repetitions", given]));

        Assert.StartsWith("--repetitions needs a whole number of at least 1.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheClosedCircuitOptionsSelectTheirRunsAndTheAgesToCompare()
    {
        var hang = BenchOptions.Parse(["--hang-only", "--only", "ours-count,ours-slow", "--closed-state-max-ages", "0,1", "--event-delivery-latency", "0.13"]);
        Assert.True(hang.HangOnly);
        Assert.False(hang.ColdStart);
        Assert.False(hang.Micro);
        Assert.True(hang.Runs("ours-slow"));
        Assert.False(hang.Runs("baseline"));
        Assert.Equal([TimeSpan.Zero, TimeSpan.FromSeconds(1)], hang.ClosedStateMaxAges);
        Assert.Equal(TimeSpan.FromSeconds(0.13), hang.Stack.EventDeliveryLatency);

        var closed = BenchOptions.Parse(["--closed-circuit-only", "--closed-instances", "1,20", "--closed-rates", "50", "--closed-seconds", "5", "--hot-read-limit", "30"]);
        Assert.True(closed.ClosedCircuitOnly);
        Assert.Equal([1, 20], closed.ClosedInstances);
        Assert.Equal([50.0], closed.ClosedRates);
        Assert.Equal(TimeSpan.FromSeconds(5), closed.ClosedDuration);
        Assert.Equal(30, closed.HotReadLimit);
        Assert.Equal(300, BenchOptions.Parse([]).HotReadLimit);

        var error = Assert.Throws<ArgumentException>(() => BenchOptions.Parse(["--closed-state-max-ages", "0,soon"]));
        Assert.StartsWith("--closed-state-max-ages needs numbers of at least 0 separated by commas, not '0,soon'.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ARegeneratedReportKeepsTheClosedCircuitSectionBeforeTheFastFailCost()
    {
        var previous = $"# Old\n\n{BenchCommand.ClosedCircuitHeading}\n\nrows\n\n## Fast-fail cost\n\nold\n";
        var rendered = "# New\n\n## Hang\n\nnew\n\n## Fast-fail cost\n\nnew\n";

        Assert.Equal(
            $"# New\n\n## Hang\n\nnew\n\n{BenchCommand.ClosedCircuitHeading}\n\nrows\n\n## Fast-fail cost\n\nnew\n",
            BenchCommand.KeepClosedCircuitSection(rendered, previous));
        Assert.Equal(rendered, BenchCommand.KeepClosedCircuitSection(rendered, "# Old without it\n"));
    }

    [Fact]
    public void AnOptionWithoutItsValueSaysSo()
    {
        var error = Assert.Throws<ArgumentException>(() => BenchOptions.Parse(["--quick", "--out"]));

        Assert.StartsWith("--out needs a value.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheReportNamesTheCommandThatMadeIt()
    {
        var options = BenchOptions.Parse(["--quick", "--open-circuit-only", "--only", "ours-count"]);
        var report = new BenchReport(
            options, new MachineInfo(2, "test CPU", 24, "test OS", ".NET test", "X64"), DateTimeOffset.UnixEpoch, TimeSpan.FromMinutes(1), [], [], [], [], "skipped", [1.5]);

        var markdown = ReportWriter.Render(report);

        Assert.Contains($"by `{ReportWriter.Command} -- --quick --open-circuit-only --only ours-count`", markdown, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--micro-only", " -- --micro-only")]
    [InlineData("--no-micro", " -- --repetitions 3 --noise-repetitions 3 --no-micro")]
    public void TheReportNamesTheMicroOptions(string option, string arguments)
    {
        var report = new BenchReport(
            BenchOptions.Parse([option]), new MachineInfo(2, "test CPU", 24, "test OS", ".NET test", "X64"), DateTimeOffset.UnixEpoch, TimeSpan.FromMinutes(1), [], [], [], [], "skipped", [1.5]);

        Assert.Contains($"by `{ReportWriter.Command}{arguments}`", ReportWriter.Render(report), StringComparison.Ordinal);
    }
}
