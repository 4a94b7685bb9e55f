using System.Text;
using System.Text.Json;
using CircuitBreaker.Contract;

namespace CircuitBreaker.Infra.Monitoring;

/// <summary>
/// The CloudWatch dashboard of the stack's circuits (one row per route's service id), as the JSON body CloudWatch takes: the circuit-opened alarm's
/// state on top, then the functions' metrics (<see cref="CircuitMetrics"/>) under the circuit's
/// <see cref="CircuitMetrics.ServiceIdDimension"/>: requests by outcome, transitions, recorded and rejected
/// failures, throttled state reads, downstream latency.
/// </summary>
public static class DashboardLayout
{
    /// <summary>The period of every graph, seconds: the alarm's period, so the graph shows what the alarm saw.</summary>
    public const int PeriodSeconds = 60;

    private const int FullWidth = 24;
    private const int GraphWidth = 8;
    private const int GraphHeight = 6;
    private const int AlarmHeight = 3;

    /// <summary>Request outcomes, counted per period.</summary>
    public static IReadOnlyList<string> RequestMetrics { get; } =
        [
            CircuitMetrics.Relayed, CircuitMetrics.FailedFast, CircuitMetrics.DownstreamTimeout, CircuitMetrics.DownstreamError, CircuitMetrics.Probe,
            CircuitMetrics.StaleServed, CircuitMetrics.StaleStored, CircuitMetrics.StaticServed, CircuitMetrics.Deferred, CircuitMetrics.DeferFailed,
        ];

    /// <summary>What the circuit did, counted per period.</summary>
    public static IReadOnlyList<string> CircuitMetricNames { get; } =
        [CircuitMetrics.CircuitOpened, CircuitMetrics.CircuitClosed, CircuitMetrics.FailuresRecorded, CircuitMetrics.FailureEventsRejected, CircuitMetrics.StateReadsThrottled,
            CircuitMetrics.Replayed, CircuitMetrics.ReplayFailed, CircuitMetrics.ReplayDeadLettered];

    /// <summary>The percentiles of <see cref="CircuitMetrics.DownstreamLatency"/> shown.</summary>
    public static IReadOnlyList<string> LatencyStatistics { get; } = ["p50", "p99", "Maximum"];

    /// <summary>The body for the circuit <paramref name="serviceId"/> in <paramref name="region"/>.</summary>
    public static string Build(string region, string metricsNamespace, string serviceId, string alarmArn)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceId);
        ArgumentException.ThrowIfNullOrWhiteSpace(alarmArn);
        return Build(region, metricsNamespace, [(serviceId, alarmArn)]);
    }

    /// <summary>The body for several circuits (one per route), one row each: its alarm, then its three graphs.</summary>
    public static string Build(string region, string metricsNamespace, IReadOnlyList<(string ServiceId, string AlarmArn)> circuits)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(region);
        ArgumentException.ThrowIfNullOrWhiteSpace(metricsNamespace);
        ArgumentNullException.ThrowIfNull(circuits);
        if (circuits.Count == 0 || circuits.Any(circuit => string.IsNullOrWhiteSpace(circuit.ServiceId) || string.IsNullOrWhiteSpace(circuit.AlarmArn)))
        {
            throw new ArgumentException("Every circuit needs a service id and an alarm ARN, and there must be at least one.", nameof(circuits));
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("widgets");
            var top = 0;
            foreach (var (serviceId, alarmArn) in circuits)
            {
                WidgetStart(writer, "alarm", x: 0, y: top, FullWidth, AlarmHeight);
                writer.WriteString("title", $"Circuit {serviceId}: opened recently?");
                writer.WriteStartArray("alarms");
                writer.WriteStringValue(alarmArn);
                writer.WriteEndArray();
                WidgetEnd(writer);

                var graphs = top + AlarmHeight;
                Graph(writer, x: 0, graphs, $"{serviceId}: requests by outcome", region, "Sum", metrics: RequestMetrics.Select(name =>
                    (Action<Utf8JsonWriter>)(w => Metric(w, metricsNamespace, name, serviceId, statistic: null))));
                Graph(writer, x: GraphWidth, graphs, $"{serviceId}: circuit", region, "Sum", metrics: CircuitMetricNames.Select(name =>
                    (Action<Utf8JsonWriter>)(w => Metric(w, metricsNamespace, name, serviceId, statistic: null))));
                Graph(writer, x: 2 * GraphWidth, graphs, $"{serviceId}: downstream latency (ms)", region, "p99", metrics: LatencyStatistics.Select(statistic =>
                    (Action<Utf8JsonWriter>)(w => Metric(w, metricsNamespace, CircuitMetrics.DownstreamLatency, serviceId, statistic))));
                top = graphs + GraphHeight;
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void Graph(Utf8JsonWriter writer, int x, int y, string title, string region, string statistic, IEnumerable<Action<Utf8JsonWriter>> metrics)
    {
        WidgetStart(writer, "metric", x, y, GraphWidth, GraphHeight);
        writer.WriteString("title", title);
        writer.WriteString("view", "timeSeries");
        writer.WriteBoolean("stacked", false);
        writer.WriteString("region", region);
        writer.WriteNumber("period", PeriodSeconds);
        writer.WriteString("stat", statistic);
        writer.WriteStartArray("metrics");
        foreach (var metric in metrics)
        {
            metric(writer);
        }

        writer.WriteEndArray();
        WidgetEnd(writer);
    }

    // One entry of a graph's "metrics": [namespace, name, dimension, value] and, to override the
    // graph's statistic, a rendering object with the statistic as its label.
    private static void Metric(Utf8JsonWriter writer, string metricsNamespace, string name, string serviceId, string? statistic)
    {
        writer.WriteStartArray();
        writer.WriteStringValue(metricsNamespace);
        writer.WriteStringValue(name);
        writer.WriteStringValue(CircuitMetrics.ServiceIdDimension);
        writer.WriteStringValue(serviceId);
        if (statistic is not null)
        {
            writer.WriteStartObject();
            writer.WriteString("stat", statistic);
            writer.WriteString("label", statistic);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static void WidgetStart(Utf8JsonWriter writer, string type, int x, int y, int width, int height)
    {
        writer.WriteStartObject();
        writer.WriteString("type", type);
        writer.WriteNumber("x", x);
        writer.WriteNumber("y", y);
        writer.WriteNumber("width", width);
        writer.WriteNumber("height", height);
        writer.WriteStartObject("properties");
    }

    private static void WidgetEnd(Utf8JsonWriter writer)
    {
        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}
