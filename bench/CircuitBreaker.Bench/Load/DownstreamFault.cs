namespace CircuitBreaker.Bench.Load;

/// <summary>
/// What the downstream does in a scenario's faulty phase: hang (every call until its timeout), or answer
/// normally but fail a share of calls at random, in the order a seed gives so that runs can be repeated.
/// </summary>
internal sealed record DownstreamFault(string Scenario, string Description, bool Hangs, double RandomFailureFraction, int Seed)
{
    /// <summary>Every call hangs.</summary>
    public static DownstreamFault Hang { get; } = new("hang", "downstream hangs", true, 0, 0);

    /// <summary>A healthy but noisy service: <paramref name="fraction"/> of calls fail (HTTP 500) at random.</summary>
    public static DownstreamFault Noise(double fraction, int seed) =>
        fraction is > 0 and <= 1
            ? new("noise", FormattableString.Invariant($"{fraction * 100:0.###} % of calls fail at random"), false, fraction, seed)
            : throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "The share of failing calls must be above 0 and at most 1.");
}
