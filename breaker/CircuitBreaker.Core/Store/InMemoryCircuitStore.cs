namespace CircuitBreaker.Core.Store;

/// <summary>
/// An <see cref="ICircuitStore"/> in this process's memory, with the same conditions as the DynamoDB store
/// (<c>DynamoDbCircuitStore</c> in CircuitBreaker.Aws), so that a circuit over it runs the very rules of the deployed breaker: the
/// in-memory circuit of the Polly library (tests, local runs), and the breaker's own unit tests. Like DynamoDB before its
/// TTL sweeper runs, it never deletes expired items: reads stay within their key range.
/// </summary>
public sealed class InMemoryCircuitStore : ICircuitStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, CircuitRecord> _states = new(StringComparer.Ordinal);
    private readonly Dictionary<(string ServiceId, string EventId), FailureRecord> _failures = [];
    private readonly Dictionary<(string ServiceId, DateTimeOffset BucketStart), long> _successes = [];
    private readonly HashSet<(string ServiceId, DateTimeOffset BucketStart, string FlushId)> _successFlushes = [];

    /// <summary>Every failure stored, in no particular order.</summary>
    public IReadOnlyCollection<FailureRecord> Failures
    {
        get
        {
            lock (_lock)
            {
                return [.. _failures.Values];
            }
        }
    }

    /// <summary>The state item of <paramref name="serviceId"/> as it is now (closed, version 0, when it has none).</summary>
    public CircuitRecord Peek(string serviceId)
    {
        lock (_lock)
        {
            return State(serviceId);
        }
    }

    /// <summary>Sets the state item of a circuit as it is, whatever it was.</summary>
    public void Seed(CircuitRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        lock (_lock)
        {
            _states[record.ServiceId] = record;
        }
    }

    /// <summary>Stores a failure as it is, as a recorder that trusted every date would have.</summary>
    public void SeedFailure(FailureRecord failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        lock (_lock)
        {
            _failures[(failure.ServiceId, failure.EventId)] = failure;
        }
    }

    /// <summary>The successes stored for <paramref name="serviceId"/>, all buckets.</summary>
    public long StoredSuccesses(string serviceId)
    {
        lock (_lock)
        {
            return _successes.Where(pair => pair.Key.ServiceId == serviceId).Sum(pair => pair.Value);
        }
    }

    /// <summary>An operator's isolate, as the DynamoDB store's operator actions write it: held open until <see cref="ForceClose"/>.</summary>
    public void Isolate(string serviceId)
    {
        lock (_lock)
        {
            var current = State(serviceId);
            _states[serviceId] = current with
            {
                Status = CircuitStatus.Isolated, OpenUntil = null, ProbeOwner = null, ProbeLeaseUntil = null, FailedProbes = 0, Version = current.Version + 1,
            };
        }
    }

    /// <summary>An operator's close, as the DynamoDB store's operator actions write it: failures before <paramref name="closedAt"/> stop counting.</summary>
    public void ForceClose(string serviceId, DateTimeOffset closedAt)
    {
        lock (_lock)
        {
            var current = State(serviceId);
            _states[serviceId] = current with
            {
                Status = CircuitStatus.Closed, OpenUntil = null, ProbeOwner = null, ProbeLeaseUntil = null, FailedProbes = 0, ClosedAt = closedAt, Version = current.Version + 1,
            };
        }
    }

    /// <inheritdoc />
    public Task<CircuitRecord> GetAsync(string serviceId, CancellationToken cancellationToken) => Run(() => State(serviceId));

    /// <inheritdoc />
    public Task<bool> RecordFailureAsync(FailureRecord failure, CancellationToken cancellationToken) =>
        Run(() => _failures.TryAdd((failure.ServiceId, failure.EventId), failure));

    /// <inheritdoc />
    public Task<int> CountFailuresAsync(string serviceId, DateTimeOffset since, DateTimeOffset until, int limit, CancellationToken cancellationToken) =>
        Run(() => Math.Min(limit, _failures.Values.Count(f => f.ServiceId == serviceId && f.FailedAt >= since && f.FailedAt <= until)));

    /// <inheritdoc />
    public Task<bool> AddSuccessesAsync(SuccessCount successes, CancellationToken cancellationToken) => Run(() =>
    {
        if (!_successFlushes.Add((successes.ServiceId, successes.BucketStart, successes.FlushId)))
        {
            return false;
        }

        var key = (successes.ServiceId, successes.BucketStart);
        _successes[key] = _successes.GetValueOrDefault(key) + successes.Count;
        return true;
    });

    /// <inheritdoc />
    public Task<long> SumSuccessesAsync(string serviceId, DateTimeOffset since, CancellationToken cancellationToken) =>
        Run(() => _successes.Where(pair => pair.Key.ServiceId == serviceId && pair.Key.BucketStart >= since).Sum(pair => pair.Value));

    /// <inheritdoc />
    public Task<bool> TryOpenAsync(string serviceId, long expectedVersion, DateTimeOffset openUntil, CancellationToken cancellationToken) => Run(() =>
    {
        var current = State(serviceId);
        if (current.Status != CircuitStatus.Closed || current.Version != expectedVersion)
        {
            return false;
        }

        _states[serviceId] = current with { Status = CircuitStatus.Open, OpenUntil = openUntil, ProbeOwner = null, ProbeLeaseUntil = null, Version = current.Version + 1, FailedProbes = 0 };
        return true;
    });

    /// <inheritdoc />
    public Task<bool> TryAcquireProbeAsync(string serviceId, string owner, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken cancellationToken) => Run(() =>
    {
        var current = State(serviceId);
        var eligible = (current.Status == CircuitStatus.Open && current.OpenUntil <= now)
            || (current.Status == CircuitStatus.HalfOpen && current.ProbeLeaseUntil <= now);
        if (!eligible)
        {
            return false;
        }

        _states[serviceId] = current with { Status = CircuitStatus.HalfOpen, ProbeOwner = owner, ProbeLeaseUntil = leaseUntil, Version = current.Version + 1 };
        return true;
    });

    /// <inheritdoc />
    public Task<bool> TryCloseAsync(string serviceId, string owner, DateTimeOffset closedAt, CancellationToken cancellationToken) => Run(() =>
    {
        var current = State(serviceId);
        if (!IsHeldBy(current, owner))
        {
            return false;
        }

        _states[serviceId] = current with { Status = CircuitStatus.Closed, OpenUntil = null, ProbeOwner = null, ProbeLeaseUntil = null, ClosedAt = closedAt, Version = current.Version + 1, FailedProbes = 0 };
        return true;
    });

    /// <inheritdoc />
    public Task<bool> TryReopenAsync(string serviceId, string owner, DateTimeOffset openUntil, int failedProbes, CancellationToken cancellationToken) => Run(() =>
    {
        var current = State(serviceId);
        if (!IsHeldBy(current, owner))
        {
            return false;
        }

        _states[serviceId] = current with { Status = CircuitStatus.Open, OpenUntil = openUntil, ProbeOwner = null, ProbeLeaseUntil = null, Version = current.Version + 1, FailedProbes = failedProbes };
        return true;
    });

    /// <inheritdoc />
    public Task<bool> TryReleaseProbeAsync(string serviceId, string owner, DateTimeOffset now, CancellationToken cancellationToken) => Run(() =>
    {
        var current = State(serviceId);
        if (!IsHeldBy(current, owner))
        {
            return false;
        }

        _states[serviceId] = current with { ProbeOwner = null, ProbeLeaseUntil = now, Version = current.Version + 1 };
        return true;
    });

    private static bool IsHeldBy(CircuitRecord record, string owner) =>
        record.Status == CircuitStatus.HalfOpen && string.Equals(record.ProbeOwner, owner, StringComparison.Ordinal);

    private CircuitRecord State(string serviceId) =>
        _states.TryGetValue(serviceId, out var record) ? record : CircuitRecord.InitiallyClosed(serviceId);

    private Task<T> Run<T>(Func<T> operation)
    {
        lock (_lock)
        {
            return Task.FromResult(operation());
        }
    }
}
