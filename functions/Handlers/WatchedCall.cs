namespace CircuitBreaker.Functions.Handlers;

/// <summary>
/// One downstream call under <see cref="SlowCallWatch"/>: publishes the call as failed (reason slow) if it is still
/// pending when its timer fires, exactly once, and tells the caller at the end whether it did.
/// </summary>
internal sealed class WatchedCall
{
    private const int Pending = 0;
    private const int Slow = 1;
    private const int Ended = 2;

    private readonly Func<Task<bool>>? _publishSlow;
    private readonly TaskCompletionSource<bool> _published = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ITimer? _timer;
    private readonly CancellationTokenRegistration _abandoned;
    private int _state;

    /// <summary>
    /// Starts the timer: after <paramref name="threshold"/> on <paramref name="time"/>, <paramref name="publishSlow"/> runs
    /// unless the call has ended, or <paramref name="cancellationToken"/> (the invocation's) abandoned it first.
    /// </summary>
    public WatchedCall(TimeProvider time, TimeSpan threshold, Func<Task<bool>> publishSlow, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(time);
        _publishSlow = publishSlow ?? throw new ArgumentNullException(nameof(publishSlow));
        _timer = time.CreateTimer(_ => OnSlow(), null, threshold, Timeout.InfiniteTimeSpan);

        // An invocation that is cancelled never reaches EndAsync: nothing of it may be published afterwards.
        _abandoned = cancellationToken.Register(() =>
        {
            Interlocked.CompareExchange(ref _state, Ended, Pending);
            _timer.Dispose();
        });
    }

    private WatchedCall() => _state = Ended;

    /// <summary>A call nobody watches: it is never published as slow.</summary>
    public static WatchedCall Unwatched { get; } = new();

    /// <summary>
    /// Ends the watch when the call has ended. True when the call was published as slow (after waiting for that
    /// publication, so that it finishes within the invocation); then its failure must not be published again.
    /// False when it ended in time, or when publishing it as slow failed, so its own failure is published instead.
    /// </summary>
    public async Task<bool> EndAsync()
    {
        if (_timer is null)
        {
            return false;
        }

        await _abandoned.DisposeAsync().ConfigureAwait(false);
        await _timer.DisposeAsync().ConfigureAwait(false);
        if (Interlocked.CompareExchange(ref _state, Ended, Pending) == Pending)
        {
            return false;
        }

        return await _published.Task.ConfigureAwait(false);
    }

    private void OnSlow()
    {
        // The call's end and the timer may race: whichever moves the state first decides.
        if (Interlocked.CompareExchange(ref _state, Slow, Pending) == Pending)
        {
            _ = PublishAsync();
        }
    }

    private async Task PublishAsync()
    {
        try
        {
            _published.TrySetResult(await _publishSlow!().ConfigureAwait(false));
        }
        catch (Exception)
        {
            // Publishing reports its own faults; this one is unexpected, so the call's end publishes instead.
            _published.TrySetResult(false);
        }
    }
}
