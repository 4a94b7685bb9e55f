using CircuitBreaker.Core.Breaker;
using CircuitBreaker.Core.Store;

namespace CircuitBreaker.Tests.Support;

/// <summary>
/// The core's <see cref="InMemoryCircuitStore"/> (the same conditions as the DynamoDB store) with what unit tests of the
/// breaker's decisions need around it: counted reads, so a test can prove a decision needed none; an outage; a slow
/// read; a success write held in flight or answered with a lost answer; and every success write, in order.
/// </summary>
internal sealed class TestCircuitStore : ICircuitStore
{
    private readonly InMemoryCircuitStore _inner = new();
    private readonly Lock _lock = new();
    private readonly List<SuccessCount> _successWrites = [];
    private int _stateReads;

    public int StateReads => Volatile.Read(ref _stateReads);

    /// <summary>Every <see cref="AddSuccessesAsync"/> that added to the store, in order (a flush added before is not repeated).</summary>
    public IReadOnlyList<SuccessCount> SuccessWrites
    {
        get
        {
            lock (_lock)
            {
                return [.. _successWrites];
            }
        }
    }

    /// <summary>When set, the next <see cref="AddSuccessesAsync"/> waits for it (so tests can hold a flush in flight).</summary>
    public Task? HoldSuccessWrites { get; set; }

    /// <summary>While true, every call fails as an unreachable store does.</summary>
    public bool Unavailable { get; set; }

    /// <summary>When set, every state read waits for it first, as a slow store would.</summary>
    public Func<Task>? BeforeRead { get; set; }

    /// <summary>How many of the next success writes are applied and then answered with a timeout, as a lost answer is.</summary>
    public int LoseSuccessAnswers { get; set; }

    public IReadOnlyCollection<FailureRecord> Failures => _inner.Failures;

    public void Seed(CircuitRecord record) => _inner.Seed(record);

    /// <summary>Stores a failure as it is, as a recorder that trusted every date would have.</summary>
    public void SeedFailure(FailureRecord failure) => _inner.SeedFailure(failure);

    /// <summary>The successes stored for <paramref name="serviceId"/>, all buckets.</summary>
    public long StoredSuccesses(string serviceId) => _inner.StoredSuccesses(serviceId);

    /// <summary>Adds <paramref name="count"/> successes to the bucket of <paramref name="at"/>, as an instance's flush would.</summary>
    public Task AddSuccessesAtAsync(string serviceId, DateTimeOffset at, long count)
    {
        var bucket = SuccessBuckets.StartOf(at);
        return AddSuccessesAsync(new SuccessCount(serviceId, bucket, count, bucket + TimeSpan.FromHours(1), SuccessFlushIds.New()), CancellationToken.None);
    }

    public async Task<CircuitRecord> GetAsync(string serviceId, CancellationToken cancellationToken)
    {
        if (BeforeRead is { } slow)
        {
            await slow();
        }

        ThrowIfUnavailable();
        Interlocked.Increment(ref _stateReads);
        return await _inner.GetAsync(serviceId, cancellationToken);
    }

    public Task<bool> RecordFailureAsync(FailureRecord failure, CancellationToken cancellationToken) =>
        Run(() => _inner.RecordFailureAsync(failure, cancellationToken));

    public Task<int> CountFailuresAsync(string serviceId, DateTimeOffset since, DateTimeOffset until, int limit, CancellationToken cancellationToken) =>
        Run(() => _inner.CountFailuresAsync(serviceId, since, until, limit, cancellationToken));

    public async Task<bool> AddSuccessesAsync(SuccessCount successes, CancellationToken cancellationToken)
    {
        if (HoldSuccessWrites is { } hold)
        {
            await hold.WaitAsync(cancellationToken);
        }

        ThrowIfUnavailable();
        var added = await _inner.AddSuccessesAsync(successes, cancellationToken);
        lock (_lock)
        {
            if (added)
            {
                _successWrites.Add(successes);
            }

            if (LoseSuccessAnswers > 0)
            {
                LoseSuccessAnswers--;
                throw new TimeoutException("The write was applied; its answer was lost.");
            }
        }

        return added;
    }

    public Task<long> SumSuccessesAsync(string serviceId, DateTimeOffset since, CancellationToken cancellationToken) =>
        Run(() => _inner.SumSuccessesAsync(serviceId, since, cancellationToken));

    public Task<bool> TryOpenAsync(string serviceId, long expectedVersion, DateTimeOffset openUntil, CancellationToken cancellationToken) =>
        Run(() => _inner.TryOpenAsync(serviceId, expectedVersion, openUntil, cancellationToken));

    public Task<bool> TryAcquireProbeAsync(string serviceId, string owner, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken cancellationToken) =>
        Run(() => _inner.TryAcquireProbeAsync(serviceId, owner, now, leaseUntil, cancellationToken));

    public Task<bool> TryCloseAsync(string serviceId, string owner, DateTimeOffset closedAt, CancellationToken cancellationToken) =>
        Run(() => _inner.TryCloseAsync(serviceId, owner, closedAt, cancellationToken));

    public Task<bool> TryReopenAsync(string serviceId, string owner, DateTimeOffset openUntil, int failedProbes, CancellationToken cancellationToken) =>
        Run(() => _inner.TryReopenAsync(serviceId, owner, openUntil, failedProbes, cancellationToken));

    public Task<bool> TryReleaseProbeAsync(string serviceId, string owner, DateTimeOffset now, CancellationToken cancellationToken) =>
        Run(() => _inner.TryReleaseProbeAsync(serviceId, owner, now, cancellationToken));

    private void ThrowIfUnavailable()
    {
        if (Unavailable)
        {
            throw new CircuitStoreUnavailableException("the in-memory store was made unavailable by the test");
        }
    }

    private Task<T> Run<T>(Func<Task<T>> operation) =>
        Unavailable ? Task.FromException<T>(new CircuitStoreUnavailableException("the in-memory store was made unavailable by the test")) : operation();
}
