using CircuitBreaker.Contract;
using CircuitBreaker.Core.Store;

namespace CircuitBreaker.Core.Breaker;

/// <summary>What an <see cref="IOpeningRule"/> found in the window.</summary>
/// <param name="Opens">True when the circuit is to open.</param>
/// <param name="Failures">Failures counted in the window; counting stops once the rule's answer is certain.</param>
/// <param name="Calls">Calls in the window (successful calls counted by the webservices plus failures); null when the rule does not need them.</param>
/// <param name="Reason">Why it opens, for the transition line; empty when it does not.</param>
internal sealed record OpeningVerdict(bool Opens, int Failures, long? Calls, string Reason);

/// <summary>Decides from the stored data whether a closed circuit opens: by a count of failures, or by their ratio to calls.</summary>
internal interface IOpeningRule
{
    /// <summary>
    /// Evaluates the window of <paramref name="serviceId"/> from <paramref name="since"/> to <paramref name="until"/>, with
    /// strongly consistent reads. Failures dated after <paramref name="until"/> (stored with a future date by an older
    /// recorder) never count.
    /// </summary>
    Task<OpeningVerdict> EvaluateAsync(string serviceId, DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken);
}

/// <summary>Picks the rule the settings name.</summary>
internal static class OpeningRules
{
    /// <summary><see cref="FailureRatioRule"/> when <see cref="CircuitPolicy.FailureRatio"/> is set, else <see cref="FailureCountRule"/>.</summary>
    public static IOpeningRule For(ICircuitStore store, CircuitPolicy settings) =>
        settings.FailureRatio is null ? new FailureCountRule(store, settings) : new FailureRatioRule(store, settings);
}
