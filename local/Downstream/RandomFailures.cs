namespace CircuitBreaker.Local.Downstream;

/// <summary>
/// Turns a share of the simulator's ok answers into failures, drawn from a seeded generator so that a noisy
/// run can be repeated call for call.
/// </summary>
internal sealed class RandomFailures
{
    private readonly Lock _gate = new();
    private readonly Random _random;

    /// <summary>Fails about <paramref name="fraction"/> of the calls (0 ≤ fraction ≤ 1), in the order <paramref name="seed"/> gives.</summary>
    public RandomFailures(double fraction, int seed)
    {
        if (double.IsNaN(fraction) || fraction < 0 || fraction > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "The share of failing calls must be between 0 and 1.");
        }

        Fraction = fraction;
        _random = new Random(seed);
    }

    /// <summary>The share of calls that fail.</summary>
    public double Fraction { get; }

    /// <summary>Whether the next call fails.</summary>
    public bool NextFails()
    {
        lock (_gate)
        {
            return _random.NextDouble() < Fraction;
        }
    }
}
