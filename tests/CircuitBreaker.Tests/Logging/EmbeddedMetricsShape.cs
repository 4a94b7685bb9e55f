using System.Text.Json;

namespace CircuitBreaker.Tests.Logging;

/// <summary>
/// Checks one log line against the required fields of CloudWatch's Embedded Metric Format specification:
/// an <c>_aws</c> object with <c>Timestamp</c> (epoch milliseconds) and <c>CloudWatchMetrics</c> (an array of
/// directives, each with <c>Namespace</c>, <c>Dimensions</c> as an array of arrays of names and <c>Metrics</c>
/// as an array of objects with <c>Name</c> and an optional valid <c>Unit</c>), no other members in those
/// objects, and every referenced dimension (a string) and metric (a number) present as a top-level member.
/// </summary>
internal static class EmbeddedMetricsShape
{
    // The units the specification accepts (CloudWatch's StandardUnit values).
    private static readonly HashSet<string> Units = new(StringComparer.Ordinal)
    {
        "Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes", "Terabytes",
        "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count", "Bytes/Second", "Kilobytes/Second",
        "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second", "Bits/Second", "Kilobits/Second", "Megabits/Second",
        "Gigabits/Second", "Terabits/Second", "Count/Second", "None",
    };

    /// <summary>Asserts the shape and returns the metrics' values by name.</summary>
    public static IReadOnlyDictionary<string, double> AssertValid(JsonElement line, string expectedNamespace, long expectedTimestamp)
    {
        Assert.Equal(JsonValueKind.Object, line.ValueKind);
        var aws = line.GetProperty("_aws");
        AssertOnlyMembers(aws, "Timestamp", "CloudWatchMetrics");
        Assert.Equal(JsonValueKind.Number, aws.GetProperty("Timestamp").ValueKind);
        Assert.Equal(expectedTimestamp, aws.GetProperty("Timestamp").GetInt64());

        var directives = aws.GetProperty("CloudWatchMetrics");
        Assert.Equal(JsonValueKind.Array, directives.ValueKind);
        Assert.Equal(1, directives.GetArrayLength());
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var directive in directives.EnumerateArray())
        {
            AssertOnlyMembers(directive, "Namespace", "Dimensions", "Metrics");
            var ns = directive.GetProperty("Namespace").GetString();
            Assert.Equal(expectedNamespace, ns);
            Assert.InRange(ns!.Length, 1, 255);

            var dimensionSets = directive.GetProperty("Dimensions");
            Assert.Equal(JsonValueKind.Array, dimensionSets.ValueKind);
            foreach (var set in dimensionSets.EnumerateArray())
            {
                Assert.Equal(JsonValueKind.Array, set.ValueKind);
                Assert.InRange(set.GetArrayLength(), 1, 30);
                foreach (var dimension in set.EnumerateArray())
                {
                    var name = dimension.GetString()!;
                    Assert.Equal(JsonValueKind.String, line.GetProperty(name).ValueKind);
                }
            }

            var metrics = directive.GetProperty("Metrics");
            Assert.Equal(JsonValueKind.Array, metrics.ValueKind);
            Assert.InRange(metrics.GetArrayLength(), 1, 100);
            foreach (var metric in metrics.EnumerateArray())
            {
                AssertOnlyMembers(metric, "Name", "Unit", "StorageResolution");
                var name = metric.GetProperty("Name").GetString()!;
                Assert.InRange(name.Length, 1, 1024);
                if (metric.TryGetProperty("Unit", out var unit))
                {
                    Assert.Contains(unit.GetString()!, Units);
                }

                var value = line.GetProperty(name);
                Assert.Equal(JsonValueKind.Number, value.ValueKind);
                Assert.True(values.TryAdd(name, value.GetDouble()), $"metric {name} is declared twice");
            }
        }

        return values;
    }

    private static void AssertOnlyMembers(JsonElement element, params string[] allowed)
    {
        Assert.Equal(JsonValueKind.Object, element.ValueKind);
        foreach (var member in element.EnumerateObject())
        {
            Assert.Contains(member.Name, allowed);
        }
    }
}
