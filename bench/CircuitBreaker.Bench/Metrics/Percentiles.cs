namespace CircuitBreaker.Bench.Metrics;

/// <summary>Percentiles by linear interpolation between closest ranks (the common "type 7" definition).</summary>
internal static class Percentiles
{
    /// <summary>The <paramref name="percentile"/> (0–100) of <paramref name="values"/>; NaN when there are none.</summary>
    public static double Of(IReadOnlyList<double> values, double percentile)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(percentile, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percentile, 100);
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToArray();
        var rank = percentile / 100 * (sorted.Length - 1);
        var lower = (int)Math.Floor(rank);
        var upper = (int)Math.Ceiling(rank);
        return sorted[lower] + ((sorted[upper] - sorted[lower]) * (rank - lower));
    }

    /// <summary>The median of <paramref name="values"/>; NaN when there are none.</summary>
    public static double Median(IReadOnlyList<double> values) => Of(values, 50);

    /// <summary>
    /// The median of <paramref name="field"/> over <paramref name="items"/>, leaving out NaN (a figure a run could not
    /// measure, such as a recovery that never came); NaN when none has it.
    /// </summary>
    public static double MedianOf<T>(IEnumerable<T> items, Func<T, double> field) =>
        Median(items.Select(field).Where(v => !double.IsNaN(v)).ToList());
}
