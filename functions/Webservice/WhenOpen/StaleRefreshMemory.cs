using System.Collections.Concurrent;

namespace CircuitBreaker.Functions.Webservice.WhenOpen;

/// <summary>
/// One instance's memory of when it last stored each request key, so that it stores the answer to the same request at
/// most once per <c>staleRefreshSeconds</c>: a busy GET then costs the table one write per period per instance, not one
/// per request. Bounded: past <paramref name="capacity"/> keys, the ones due for a refresh anyway are forgotten, and if
/// that is not enough, all (the worst case is one early write per key).
/// </summary>
/// <param name="every">The shortest time between two writes of one key.</param>
/// <param name="capacity">The most keys remembered.</param>
internal sealed class StaleRefreshMemory(TimeSpan every, int capacity = StaleRefreshMemory.DefaultCapacity)
{
    /// <summary>The keys remembered by default: a few MB at most.</summary>
    public const int DefaultCapacity = 10_000;

    private readonly ConcurrentDictionary<string, long> _lastWrite = new(StringComparer.Ordinal);

    /// <summary>The keys remembered now.</summary>
    public int Count => _lastWrite.Count;

    /// <summary>True when <paramref name="key"/> is due for a write at <paramref name="now"/>, which is then claimed for it.</summary>
    public bool TryClaim(string key, DateTimeOffset now)
    {
        var ticks = now.UtcTicks;
        if (_lastWrite.TryGetValue(key, out var last))
        {
            // Claimed by compare-and-swap: of two concurrent requests for the same key, one writes.
            return ticks - last >= every.Ticks && _lastWrite.TryUpdate(key, ticks, last);
        }

        if (_lastWrite.Count >= capacity)
        {
            Trim(ticks);
        }

        return _lastWrite.TryAdd(key, ticks);
    }

    /// <summary>Forgets <paramref name="key"/>, so that its next answer is stored at once (after an invalidation).</summary>
    public void Forget(string key) => _lastWrite.TryRemove(key, out _);

    private void Trim(long now)
    {
        foreach (var (key, last) in _lastWrite)
        {
            if (now - last >= every.Ticks)
            {
                _lastWrite.TryRemove(key, out _);
            }
        }

        if (_lastWrite.Count >= capacity)
        {
            _lastWrite.Clear();
        }
    }
}
