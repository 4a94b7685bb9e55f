using CircuitBreaker.Contract;

namespace CircuitBreaker.Core.Breaker;

/// <summary>
/// How long the circuit stays open after a failed probe: <see cref="CircuitPolicy.OpenDuration"/> doubled per failed
/// probe in a row, at most <see cref="CircuitPolicy.MaxOpenDuration"/>, with ±<see cref="Jitter"/> so that many
/// circuits opened together do not probe in step. With the cap equal to the open duration (the default) every
/// period is exactly the open duration, as before backoff existed.
/// </summary>
/// <param name="settings">The open duration and its cap.</param>
/// <param name="random">Uniform numbers in [0, 1) for the jitter; injected so tests are deterministic.</param>
public sealed class OpenPeriodBackoff(CircuitPolicy settings, Func<double> random)
{
    /// <summary>The jitter's half-width, as a fraction of the doubled period.</summary>
    public const double Jitter = 0.1;

    // 2^20 times any open period already exceeds every cap the settings allow (a year).
    private const int MaxDoublings = 20;

    /// <summary>True when failed probes lengthen the open period.</summary>
    public bool IsOn => settings.MaxOpenDuration > settings.OpenDuration;

    /// <summary>
    /// The open period after <paramref name="failedProbes"/> failed probes in a row (0: the circuit just opened from
    /// closed). Drawn uniformly from [0.9, 1.1] × open duration × 2^failedProbes, the upper end cut at the cap, so a
    /// period never exceeds the cap and circuits at the cap still spread over its last tenth.
    /// </summary>
    public TimeSpan PeriodAfter(int failedProbes)
    {
        if (!IsOn || failedProbes <= 0)
        {
            return settings.OpenDuration;
        }

        var cap = settings.MaxOpenDuration;
        var doubled = settings.OpenDuration * Math.Pow(2, Math.Min(failedProbes, MaxDoublings));
        var nominal = doubled < cap ? doubled : cap;
        var low = nominal * (1 - Jitter);
        var high = nominal * (1 + Jitter);
        if (high > cap)
        {
            high = cap;
        }

        return low + ((high - low) * Math.Clamp(random(), 0, 1));
    }
}
