using System.Xml.Linq;
using CircuitBreaker.Bench;
using CircuitBreaker.Bench.Load;
using CircuitBreaker.Bench.Metrics;
using CircuitBreaker.Bench.Report;

namespace CircuitBreaker.Tests.Bench.Report;

public sealed class TimelineSvgTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    [Fact]
    public void TheTimelineIsWellFormedSvgWithAPanelPerVariant()
    {
        var svg = TimelineSvg.Render([Run("ours"), Run("base<line>&")], "Outage & recovery");

        var document = XDocument.Parse(svg);
        Assert.Equal(Svg + "svg", document.Root!.Name);
        var texts = document.Descendants(Svg + "text").Select(t => t.Value).ToList();
        Assert.Contains("ours", texts);
        Assert.Contains("base<line>&", texts);
        Assert.Contains("Outage & recovery", texts);
        Assert.NotEmpty(document.Descendants(Svg + "polyline"));
    }

    [Fact]
    public void AnswersAreCountedPerSecondByOutcome()
    {
        var buckets = TimelineSvg.PerSecond(Run("ours"), 4);

        Assert.Equal([1, 0, 0, 0], buckets[0]);
        Assert.Equal([0, 2, 0, 0], buckets[1]);
        Assert.Equal([0, 0, 1, 1], buckets[2]);
        Assert.Equal([0, 0, 0, 0], buckets[3]);
    }

    private static OutageRunResult Run(string variant)
    {
        RequestSample Sample(double sentAt, double latencyMs, int status) =>
            new(TimeSpan.FromSeconds(sentAt), TimeSpan.FromSeconds(sentAt), TimeSpan.FromMilliseconds(latencyMs), status);

        return new OutageRunResult(
            TimeSpan.FromSeconds(0.5),
            variant,
            1,
            new OutagePhases(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(4)),
            [Sample(0.2, 3, 200), Sample(1.1, 1, 503), Sample(1.5, 1, 503), Sample(2.0, 500, 504), Sample(2.5, 10_000, 0)],
            [new StateSample(TimeSpan.Zero, "closed"), new StateSample(TimeSpan.FromSeconds(1.2), "open"), new StateSample(TimeSpan.FromSeconds(3.5), "half-open")],
            [new HandlerTiming("webservice", TimeSpan.Zero, TimeSpan.FromMilliseconds(3), false)],
            new Dictionary<string, int>(),
            new Dictionary<string, int>(),
            0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 1, 1, 0, default, default);
    }
}
