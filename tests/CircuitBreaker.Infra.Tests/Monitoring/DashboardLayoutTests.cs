using System.Text.Json;
using CircuitBreaker.Contract;
using CircuitBreaker.Infra.Monitoring;

namespace CircuitBreaker.Infra.Tests.Monitoring;

public sealed class DashboardLayoutTests
{
    private const string Region = "eu-west-1";
    private const string Namespace = "Team/Breakers";
    private const string ServiceId = "payments.example.com";
    private const string Alarm = "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:cb-dev-circuit-opened";

    [Fact]
    public void EveryContractMetricIsGraphedUnderTheServiceIdInTheRegion()
    {
        using var body = JsonDocument.Parse(DashboardLayout.Build(Region, Namespace, ServiceId, Alarm));

        var graphs = Widgets(body, "metric");
        Assert.All(graphs, graph => Assert.Equal(Region, graph.GetProperty("properties").GetProperty("region").GetString()));
        Assert.All(graphs, graph => Assert.Equal(DashboardLayout.PeriodSeconds, graph.GetProperty("properties").GetProperty("period").GetInt32()));

        var lines = graphs.SelectMany(graph => graph.GetProperty("properties").GetProperty("metrics").EnumerateArray()).ToArray();
        Assert.All(lines, line =>
        {
            Assert.Equal(Namespace, line[0].GetString());
            Assert.Equal(CircuitMetrics.ServiceIdDimension, line[2].GetString());
            Assert.Equal(ServiceId, line[3].GetString());
        });

        var graphed = lines.Select(line => line[1].GetString()).ToHashSet();
        var contract = typeof(CircuitMetrics).GetFields()
            .Where(field => field.IsLiteral && field.Name != nameof(CircuitMetrics.ServiceIdDimension))
            .Select(field => (string?)field.GetRawConstantValue())
            .ToHashSet();
        Assert.Equal(contract.Order(), graphed.Order());
    }

    [Fact]
    public void CountsAreSummedAndLatencyShowsItsPercentiles()
    {
        using var body = JsonDocument.Parse(DashboardLayout.Build(Region, Namespace, ServiceId, Alarm));

        var graphs = Widgets(body, "metric");
        var latency = Assert.Single(graphs, graph => graph.GetProperty("properties").GetProperty("metrics")[0][1].GetString() == CircuitMetrics.DownstreamLatency);
        var statistics = latency.GetProperty("properties").GetProperty("metrics").EnumerateArray()
            .Select(line => line[4].GetProperty("stat").GetString()!)
            .ToArray();
        Assert.Equal(DashboardLayout.LatencyStatistics, statistics);

        Assert.All(graphs.Where(graph => graph.GetProperty("properties").GetProperty("metrics")[0][1].GetString() != CircuitMetrics.DownstreamLatency),
            graph => Assert.Equal("Sum", graph.GetProperty("properties").GetProperty("stat").GetString()));
    }

    [Fact]
    public void TheAlarmsStateIsOnTop()
    {
        using var body = JsonDocument.Parse(DashboardLayout.Build(Region, Namespace, ServiceId, Alarm));

        var alarm = Assert.Single(Widgets(body, "alarm"));
        Assert.Equal(0, alarm.GetProperty("y").GetInt32());
        Assert.Equal(Alarm, Assert.Single(alarm.GetProperty("properties").GetProperty("alarms").EnumerateArray()).GetString());
        Assert.All(Widgets(body, "metric"), graph => Assert.True(graph.GetProperty("y").GetInt32() >= alarm.GetProperty("height").GetInt32()));
    }

    [Fact]
    public void WidgetsFitTheDashboardsTwentyFourColumns()
    {
        using var body = JsonDocument.Parse(DashboardLayout.Build(Region, Namespace, ServiceId, Alarm));

        Assert.All(body.RootElement.GetProperty("widgets").EnumerateArray(),
            widget => Assert.InRange(widget.GetProperty("x").GetInt32() + widget.GetProperty("width").GetInt32(), 1, 24));
    }

    [Fact]
    public void DashboardUrlNamesTheRegionTwiceAndTheDashboard()
    {
        Assert.Equal(
            "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards:name=circuit-breaker-dev",
            ConsoleLinks.Dashboard(Region, "circuit-breaker-dev"));
    }

    [Theory]
    [InlineData("arn:aws:events:us-east-1:123456789012:event-bus/cb", "us-east-1")]
    [InlineData("arn:aws-cn:dynamodb:cn-north-1:123456789012:table/circuits", "cn-north-1")]
    public void RegionComesFromAnArn(string arn, string region) => Assert.Equal(region, ConsoleLinks.RegionOf(arn));

    [Theory]
    [InlineData("arn:aws:iam::123456789012:role/r")]
    [InlineData("not an arn")]
    public void AnArnWithoutRegionIsRefused(string arn) => Assert.Throws<ArgumentException>(() => ConsoleLinks.RegionOf(arn));

    private static JsonElement[] Widgets(JsonDocument body, string type) =>
        body.RootElement.GetProperty("widgets").EnumerateArray().Where(widget => widget.GetProperty("type").GetString() == type).ToArray();
}
