using CircuitBreaker.Core.Store;

namespace CircuitBreaker.Core.Breaker;

/// <summary>
/// What this instance last read of one circuit's state, beside <see cref="OpenCircuitMemory"/>: a closed state is trusted
/// for at most <c>closedStateMaxAge</c> without another read, and not at all once one of this instance's own calls failed
/// (timed out, or was reported slow) since it was read; any state read recently stands in for a read the store throttled.
/// Instance state, never static. docs/design.md, "Admission", says why each bound is what it is.
/// </summary>
/// <param name="closedStateMaxAge">How long a closed state read is trusted; zero never trusts it (a read for every call).</param>
/// <param name="time">The clock.</param>
internal sealed class StateReadMemory(TimeSpan closedStateMaxAge, TimeProvider time)
{
    /// <summary>
    /// The oldest state that stands in for a throttled read: the same 5 s an instance already answers from its memory of an
    /// open circuit (<see cref="OpenCircuitMemory.MaxRecall"/>), so an operator's change still reaches it within that time,
    /// and long enough to ride out a burst of throttling without calling the downstream unguarded.
    /// </summary>
    internal static readonly TimeSpan ThrottledReadStandIn = TimeSpan.FromSeconds(5);

    private Remembered? _last;

    // Bumped whenever trust is dropped: a read that started before a failure must not bring the trust back when it ends.
    private long _distrusts;

    /// <summary>How long a closed state read is trusted.</summary>
    public TimeSpan ClosedStateMaxAge => closedStateMaxAge;

    /// <summary>Taken before a read and handed to <see cref="Remember"/> after it.</summary>
    public long Distrusts => Interlocked.Read(ref _distrusts);

    /// <summary>True while the last state read was closed, is younger than the maximum age, and no own call failed since.</summary>
    public bool TrustsClosed() =>
        Volatile.Read(ref _last) is { Trusted: true } last && time.GetUtcNow() < last.ReadAt + closedStateMaxAge;

    /// <summary>Keeps <paramref name="record"/> as the last state read now; a closed one is trusted unless trust was dropped since <paramref name="distrustsBeforeRead"/>.</summary>
    public void Remember(CircuitRecord record, long distrustsBeforeRead)
    {
        var trusted = record.Status == CircuitStatus.Closed && closedStateMaxAge > TimeSpan.Zero && distrustsBeforeRead == Distrusts;
        Volatile.Write(ref _last, new Remembered(record, time.GetUtcNow(), trusted));
    }

    /// <summary>Stops trusting the closed state read: the next call reads the state again.</summary>
    public void Distrust()
    {
        Interlocked.Increment(ref _distrusts);
        var last = Volatile.Read(ref _last);
        while (last is { Trusted: true })
        {
            var seen = Interlocked.CompareExchange(ref _last, last with { Trusted = false }, last);
            if (ReferenceEquals(seen, last))
            {
                return;
            }

            last = seen;
        }
    }

    /// <summary>The last state read when it is younger than <see cref="ThrottledReadStandIn"/>, with its age; false otherwise.</summary>
    public bool TryRecallRecent(out CircuitRecord record, out TimeSpan age)
    {
        if (Volatile.Read(ref _last) is { } last)
        {
            age = time.GetUtcNow() - last.ReadAt;
            if (age < ThrottledReadStandIn)
            {
                record = last.Record;
                return true;
            }
        }

        (record, age) = (null!, default);
        return false;
    }

    private sealed record Remembered(CircuitRecord Record, DateTimeOffset ReadAt, bool Trusted);
}
