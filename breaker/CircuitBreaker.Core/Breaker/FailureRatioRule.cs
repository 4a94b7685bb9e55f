using System.Globalization;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Store;

namespace CircuitBreaker.Core.Breaker;

/// <summary>
/// Failure-ratio mode: the circuit opens when failures / calls within the window reach
/// <see cref="CircuitPolicy.FailureRatio"/> and the calls number at least <see cref="CircuitPolicy.MinimumThroughput"/>.
/// Calls are the successful calls the webservice instances counted (<see cref="SuccessCounter"/>) plus the failures
/// recorded: a failure is in the table as soon as its event is delivered, so a hang's calls count even though the
/// instances making them are stuck in them.
/// </summary>
internal sealed class FailureRatioRule(ICircuitStore store, CircuitPolicy settings) : IOpeningRule
{
    // Guards the comparisons against rounding: 0.1 × 30 is 3.0000000000000004 in binary.
    private const double Tolerance = 1e-9;

    private readonly double _ratio = settings.FailureRatio
        ?? throw new ArgumentException("Failure-ratio mode needs a failure ratio.", nameof(settings));

    /// <inheritdoc />
    public async Task<OpeningVerdict> EvaluateAsync(string serviceId, DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken)
    {
        var successes = await store.SumSuccessesAsync(serviceId, SuccessBuckets.StartOf(since), cancellationToken).ConfigureAwait(false);

        // Count failures only as far as the answer needs: the count stays as cheap as count mode's.
        var failures = await store.CountFailuresAsync(serviceId, since, until, FailuresToOpen(successes), cancellationToken).ConfigureAwait(false);
        var calls = successes + failures;
        var opens = calls >= settings.MinimumThroughput && failures + Tolerance >= _ratio * calls;
        var reason = opens
            ? string.Create(
                CultureInfo.InvariantCulture,
                $"{failures} of {calls} calls failed within {settings.Window.TotalSeconds:0.###} s ({100.0 * failures / calls:0.##} %), ratio {_ratio}, minimum throughput {settings.MinimumThroughput}")
            : string.Empty;
        return new OpeningVerdict(opens, failures, calls, reason);
    }

    /// <summary>
    /// The fewest failures that open the circuit beside <paramref name="successes"/> successful calls: enough for the
    /// minimum throughput and for the ratio (f / (s + f) ≥ r ⇔ f ≥ r·s / (1 − r)). At least 1.
    /// </summary>
    internal int FailuresToOpen(long successes)
    {
        double needed = Math.Max(1, settings.MinimumThroughput - successes);
        if (successes > 0)
        {
            // With a ratio of 1 any success keeps the circuit closed; counting to the minimum throughput says so.
            var forRatio = _ratio >= 1 ? settings.MinimumThroughput : Math.Ceiling((_ratio * successes / (1 - _ratio)) - Tolerance);
            needed = Math.Max(needed, forRatio);
        }

        return needed >= int.MaxValue ? int.MaxValue : (int)needed;
    }
}
