using System.Text.Json;
using CircuitBreaker.Contract;

namespace CircuitBreaker.Core.Logging;

/// <summary>
/// The metrics of one invocation, written into the JSON line that summarizes it in CloudWatch's Embedded
/// Metric Format: an <c>_aws</c> member naming the namespace, the <c>ServiceId</c> dimension and each
/// metric, and every dimension and metric value as a top-level member beside it. CloudWatch Logs extracts
/// the metrics from the line, so publishing them costs no call and no time beyond writing the line.
/// </summary>
public sealed class EmbeddedMetrics
{
    /// <summary>The unit of counts.</summary>
    public const string CountUnit = "Count";

    /// <summary>The unit of durations.</summary>
    public const string MillisecondsUnit = "Milliseconds";

    // The specification's member names (case-sensitive).
    private const string NamespaceMember = "Namespace";

    private readonly List<Metric> _metrics = [];

    /// <summary>Collects metrics of circuit <paramref name="serviceId"/> under <paramref name="metricsNamespace"/>.</summary>
    public EmbeddedMetrics(string metricsNamespace, string serviceId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(metricsNamespace);
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceId);
        Namespace = metricsNamespace;
        ServiceId = serviceId;
    }

    /// <summary>The CloudWatch namespace.</summary>
    public string Namespace { get; }

    /// <summary>The value of the <see cref="CircuitMetrics.ServiceIdDimension"/> dimension.</summary>
    public string ServiceId { get; }

    /// <summary>True when no metric was added: the line then carries no <c>_aws</c> member.</summary>
    public bool IsEmpty => _metrics.Count == 0;

    /// <summary>Adds <paramref name="value"/> to the count <paramref name="name"/> (one of <see cref="CircuitMetrics"/>).</summary>
    public EmbeddedMetrics Count(string name, int value = 1) => Add(name, CountUnit, value);

    /// <summary>Records a duration in milliseconds; a second duration of the same name replaces the first.</summary>
    public EmbeddedMetrics Duration(string name, TimeSpan elapsed) =>
        Add(name, MillisecondsUnit, Math.Round(elapsed.TotalMilliseconds, 3), replace: true);

    /// <summary>
    /// Writes the <c>_aws</c> member and the top-level members it refers to into the open object
    /// <paramref name="json"/>. Does nothing when <see cref="IsEmpty"/>.
    /// </summary>
    /// <param name="json">A writer positioned inside the line's root object.</param>
    /// <param name="timestamp">The line's time; CloudWatch files the values under it (epoch milliseconds).</param>
    public void WriteTo(Utf8JsonWriter json, DateTimeOffset timestamp)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (IsEmpty)
        {
            return;
        }

        json.WriteStartObject("_aws");
        json.WriteNumber("Timestamp", timestamp.ToUnixTimeMilliseconds());
        json.WriteStartArray("CloudWatchMetrics");
        json.WriteStartObject();
        json.WriteString(NamespaceMember, Namespace);
        json.WriteStartArray("Dimensions");
        json.WriteStartArray();
        json.WriteStringValue(CircuitMetrics.ServiceIdDimension);
        json.WriteEndArray();
        json.WriteEndArray();
        json.WriteStartArray("Metrics");
        foreach (var metric in _metrics)
        {
            json.WriteStartObject();
            json.WriteString("Name", metric.Name);
            json.WriteString("Unit", metric.Unit);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();

        json.WriteString(CircuitMetrics.ServiceIdDimension, ServiceId);
        foreach (var metric in _metrics)
        {
            json.WriteNumber(metric.Name, metric.Value);
        }
    }

    private EmbeddedMetrics Add(string name, string unit, double value, bool replace = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (name is CircuitMetrics.ServiceIdDimension or "_aws")
        {
            throw new ArgumentException($"'{name}' is a member the format itself uses, not a metric name.", nameof(name));
        }

        // One member per name: a name written twice would make the line's JSON ambiguous.
        var index = _metrics.FindIndex(metric => metric.Name == name);
        if (index < 0)
        {
            _metrics.Add(new Metric(name, unit, value));
        }
        else if (_metrics[index].Unit != unit)
        {
            throw new ArgumentException($"Metric '{name}' was recorded in {_metrics[index].Unit}, not {unit}.", nameof(name));
        }
        else
        {
            _metrics[index] = _metrics[index] with { Value = replace ? value : _metrics[index].Value + value };
        }

        return this;
    }

    private readonly record struct Metric(string Name, string Unit, double Value);
}
