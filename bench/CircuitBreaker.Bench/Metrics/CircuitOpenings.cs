namespace CircuitBreaker.Bench.Metrics;

/// <summary>Counts the circuit's openings in the sampled stored state.</summary>
internal static class CircuitOpenings
{
    /// <summary>
    /// How many times the state went from not open to open ("open" or "open (probe due)"), in time order: a reopening
    /// after a failed probe (half-open → open) counts, staying open does not. An opening shorter than the sampling
    /// interval can go unseen.
    /// </summary>
    public static int Count(IEnumerable<StateSample> states)
    {
        var openings = 0;
        var wasOpen = false;
        foreach (var sample in states.OrderBy(s => s.At))
        {
            var open = sample.State.StartsWith("open", StringComparison.Ordinal);
            if (open && !wasOpen)
            {
                openings++;
            }

            wasOpen = open;
        }

        return openings;
    }
}
