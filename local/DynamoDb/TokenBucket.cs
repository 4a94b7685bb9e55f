namespace CircuitBreaker.Local.DynamoDb;

/// <summary>
/// Units that refill continuously at a fixed rate up to one second's worth: a request takes its units if they are there,
/// else it is refused and takes nothing. Time comes from a <see cref="TimeProvider"/>, so a fake clock drives it in tests.
/// </summary>
internal sealed class TokenBucket
{
    // Refills are computed in floating point; a bucket exactly refilled must not refuse one unit for a rounding error.
    private const double Tolerance = 1e-9;

    private readonly double _perSecond;
    private readonly double _capacity;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private double _units;
    private long _refilledAt;

    /// <param name="perSecond">Units added per second, greater than 0; also the most the bucket holds.</param>
    /// <param name="time">The clock.</param>
    public TokenBucket(double perSecond, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(perSecond);
        _perSecond = perSecond;
        _capacity = perSecond;
        _time = time;
        _units = _capacity;
        _refilledAt = time.GetTimestamp();
    }

    /// <summary>Takes <paramref name="units"/> if the bucket holds them; false (and nothing taken) otherwise.</summary>
    public bool TryTake(double units)
    {
        lock (_gate)
        {
            Refill();
            if (_units + Tolerance < units)
            {
                return false;
            }

            _units = Math.Max(0, _units - units);
            return true;
        }
    }

    /// <summary>Whether the bucket is full again: it remembers nothing a new bucket would not, and may be dropped.</summary>
    public bool IsFull
    {
        get
        {
            lock (_gate)
            {
                Refill();
                return _units + Tolerance >= _capacity;
            }
        }
    }

    private void Refill()
    {
        var now = _time.GetTimestamp();
        var elapsed = _time.GetElapsedTime(_refilledAt, now);
        _refilledAt = now;
        if (elapsed > TimeSpan.Zero)
        {
            _units = Math.Min(_capacity, _units + elapsed.TotalSeconds * _perSecond);
        }
    }
}
