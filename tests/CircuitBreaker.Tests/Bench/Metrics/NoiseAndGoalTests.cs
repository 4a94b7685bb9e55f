using CircuitBreaker.Bench.Metrics;
using static CircuitBreaker.Tests.Bench.Support.SyntheticRuns;

namespace CircuitBreaker.Tests.Bench.Metrics;

public sealed class NoiseAndGoalTests
{
    [Fact]
    public void EveryEntryIntoOpenCountsOnceAndAReopeningAfterAFailedProbeCountsAgain()
    {
        StateSample[] states =
        [
            State(0, "closed"), State(1, "open"), State(2, "open"), State(3, "open (probe due)"), State(4, "half-open"),
            State(5, "open"), State(6, "closed"), State(8, "open"),
        ];

        Assert.Equal(3, CircuitOpenings.Count(states));
    }

    [Fact]
    public void OpeningsAreCountedInTimeOrder()
    {
        StateSample[] states = [State(2, "closed"), State(1, "open"), State(0, "closed")];

        Assert.Equal(1, CircuitOpenings.Count(states));
    }

    [Fact]
    public void TheNoiseSummaryCoversOnlyTheNoisyPhase()
    {
        // Faulty phase: 10–70 s. Requests at 5 s and 80 s and the opening at 75 s lie outside it.
        var run = Run(
            "ours-ratio",
            scenario: "noise",
            requests: [Request(5, 503), Request(20, 503), Request(30, 502), Request(40, 200), Request(80, 503)],
            states: [State(0, "closed"), State(25, "open"), State(40, "closed"), State(75, "open")],
            atStart: new DynamoDbCounts(WebserviceReads: 4, WebserviceWrites: 10, RecorderReads: 0, RecorderWrites: 0),
            atRecovery: new DynamoDbCounts(WebserviceReads: 10, WebserviceWrites: 13, RecorderReads: 3, RecorderWrites: 2));

        var noise = NoiseSummary.Of(run, TimeSpan.FromSeconds(6));

        Assert.Equal(10, noise.Windows, 9);
        Assert.Equal(3, noise.Requests);
        Assert.Equal(1, noise.DownstreamFailed);
        Assert.Equal(1, noise.Openings);
        Assert.Equal(1, noise.Refused);
        Assert.Equal(1.0, noise.WebserviceWritesPerRequest, 9);
        Assert.Equal(5 / 3.0, noise.WritesPerRequest, 9);
        Assert.Equal(9 / 3.0, noise.ReadsPerRequest, 9);
    }

    [Fact]
    public void ANoisyPhaseLastingToTheEndTakesTheRunsTotalsAsItsClosingCounts()
    {
        // No snapshot at the boundary (default): the run's totals (webservice writes 13, reads 10; recorder 2 and 3) close the phase.
        var run = Run(
            "ours-ratio",
            scenario: "noise",
            requests: [Request(20, 200), Request(30, 200)],
            atStart: new DynamoDbCounts(WebserviceReads: 4, WebserviceWrites: 10, RecorderReads: 0, RecorderWrites: 0)) with
        {
            WebserviceReads = 10,
            WebserviceWrites = 13,
            RecorderReads = 3,
            RecorderWrites = 2,
        };

        var noise = NoiseSummary.Of(run, TimeSpan.FromSeconds(6));

        Assert.Equal(3 / 2.0, noise.WebserviceWritesPerRequest, 9);
        Assert.Equal(5 / 2.0, noise.WritesPerRequest, 9);
        Assert.Equal(9 / 2.0, noise.ReadsPerRequest, 9);
    }

    [Fact]
    public void TheNoiseMedianIsTakenFieldByField()
    {
        NoiseSummary Summary(int openings, int refused, double writes) => new("ours-count", 15, 4500, 20, openings, refused, writes, writes, 1);

        var median = NoiseSummary.MedianOf([Summary(5, 900, 0.01), Summary(1, 100, 0.03), Summary(3, 300, 0.02)]);

        Assert.Equal(3, median.Openings);
        Assert.Equal(300, median.Refused);
        Assert.Equal(0.02, median.WebserviceWritesPerRequest, 9);
    }

    [Theory]
    [InlineData(20, 10, true, true)]
    [InlineData(21, 10, false, true)]
    [InlineData(20, 26, true, false)]
    public void TheGoalIsAFiftiethOfTheDeadCallsAndATwentiethOfTheFunctionSeconds(long deadCalls, double functionSeconds, bool meetsCalls, bool meetsSeconds)
    {
        var original = OutageSummary.Of(Run("baseline", deadCalls: 1000, webserviceSeconds: 500));
        var ours = OutageSummary.Of(Run("ours-slow-backoff", deadCalls: deadCalls, webserviceSeconds: functionSeconds));

        var goal = HangGoal.Of(ours, original);

        Assert.Equal(deadCalls / 1000.0, goal.DeadCallsRatio, 9);
        Assert.Equal(functionSeconds / 500, goal.FunctionSecondsRatio, 9);
        Assert.Equal(meetsCalls, goal.MeetsDeadCalls);
        Assert.Equal(meetsSeconds, goal.MeetsFunctionSeconds);
    }
}
