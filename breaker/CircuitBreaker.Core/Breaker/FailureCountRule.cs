using System.Globalization;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Store;

namespace CircuitBreaker.Core.Breaker;

/// <summary>Count mode, the original's rule: <see cref="CircuitPolicy.FailureThreshold"/> failures within the window open the circuit.</summary>
internal sealed class FailureCountRule(ICircuitStore store, CircuitPolicy settings) : IOpeningRule
{
    /// <inheritdoc />
    public async Task<OpeningVerdict> EvaluateAsync(string serviceId, DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken)
    {
        var count = await store.CountFailuresAsync(serviceId, since, until, settings.FailureThreshold, cancellationToken).ConfigureAwait(false);
        return count < settings.FailureThreshold
            ? new OpeningVerdict(false, count, null, string.Empty)
            : new OpeningVerdict(
                true,
                count,
                null,
                string.Create(CultureInfo.InvariantCulture, $"{count} failures within {settings.Window.TotalSeconds:0.###} s, threshold {settings.FailureThreshold}"));
    }
}
