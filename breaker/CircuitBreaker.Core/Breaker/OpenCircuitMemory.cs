using System.Collections.Concurrent;

namespace CircuitBreaker.Core.Breaker;

/// <summary>
/// What this Lambda instance has learned about circuits that are open: until the remembered time, the
/// instance answers from memory and spends no DynamoDB read. Instance state, never static: each Lambda
/// instance (or in-process instance in local mode) has its own.
/// </summary>
public sealed class OpenCircuitMemory(TimeProvider time)
{
    /// <summary>
    /// The longest this instance answers from memory before reading the state again, however long the open
    /// period: an operator's close or isolate (circuitctl) reaches every instance within this time.
    /// </summary>
    internal static readonly TimeSpan MaxRecall = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, RememberedOpen> _open = new(StringComparer.Ordinal);

    /// <summary>
    /// Remembers that <paramref name="serviceId"/> fails fast until <paramref name="until"/>, recalled for at most
    /// <see cref="MaxRecall"/>, and no later than <paramref name="recheckAt"/> when given (a probe elsewhere may settle
    /// the circuit any moment, though its lease says how long it may take).
    /// </summary>
    public void Remember(string serviceId, DateTimeOffset until, CircuitView state, DateTimeOffset? recheckAt = null)
    {
        var recallUntil = time.GetUtcNow() + MaxRecall;
        if (until < recallUntil)
        {
            recallUntil = until;
        }

        if (recheckAt < recallUntil)
        {
            recallUntil = recheckAt.Value;
        }

        _open[serviceId] = new RememberedOpen(until, state, recallUntil);
    }

    /// <summary>Forgets what was remembered, e.g. after this instance closed the circuit.</summary>
    public void Forget(string serviceId) => _open.TryRemove(serviceId, out _);

    /// <summary>True while a remembered open period lasts (and <see cref="MaxRecall"/> has not passed); a lapsed one is dropped.</summary>
    public bool TryRecall(string serviceId, out DateTimeOffset until, out CircuitView state)
    {
        if (_open.TryGetValue(serviceId, out var remembered))
        {
            if (time.GetUtcNow() < remembered.RecallUntil)
            {
                (until, state) = (remembered.Until, remembered.State);
                return true;
            }

            // Only drop the entry we read: another request may have just remembered a later one.
            _open.TryRemove(KeyValuePair.Create(serviceId, remembered));
        }

        (until, state) = (default, default);
        return false;
    }

    private sealed record RememberedOpen(DateTimeOffset Until, CircuitView State, DateTimeOffset RecallUntil);
}
