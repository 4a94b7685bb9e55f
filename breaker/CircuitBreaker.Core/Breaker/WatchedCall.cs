namespace CircuitBreaker.Core.Breaker;

/// <summary>
/// Slow-call detection for one call: if the call is still pending when the threshold's timer fires, its slow report
/// starts at that moment, exactly once. <see cref="EndAsync"/> says whether that happened and waits for the report,
/// so that nothing is left running when a Lambda invocation returns (a frozen instance runs nothing). The report
/// itself (what is published, how its failure is logged) is the caller's.
/// </summary>
public sealed class WatchedCall
{
    private const int Pending = 0;
    private const int Slow = 1;
    private const int Ended = 2;

    private readonly Func<Task<bool>>? _reportSlow;
    private readonly TaskCompletionSource<bool> _reported = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ITimer? _timer;
    private readonly CancellationTokenRegistration _abandoned;
    private int _state;

    /// <summary>
    /// Starts the timer: after <paramref name="threshold"/> on <paramref name="time"/>, <paramref name="reportSlow"/> runs
    /// unless the call has ended, or <paramref name="abandon"/> was cancelled first.
    /// </summary>
    /// <param name="time">The clock whose timer measures the threshold.</param>
    /// <param name="threshold">How long the call may be pending before it is slow.</param>
    /// <param name="reportSlow">Reports the call as failed (slow); true when the report was made, so the call's own failure must not be reported again.</param>
    /// <param name="abandon">
    /// Cancelled when the call will never reach <see cref="EndAsync"/> (a cancelled Lambda invocation): nothing of it may be
    /// reported afterwards. None by default.
    /// </param>
    public WatchedCall(TimeProvider time, TimeSpan threshold, Func<Task<bool>> reportSlow, CancellationToken abandon = default)
    {
        ArgumentNullException.ThrowIfNull(time);
        _reportSlow = reportSlow ?? throw new ArgumentNullException(nameof(reportSlow));
        _timer = time.CreateTimer(static call => ((WatchedCall)call!).OnSlow(), this, threshold, Timeout.InfiniteTimeSpan);
        _abandoned = abandon.Register(static call => ((WatchedCall)call!).Abandon(), this);
    }

    private WatchedCall() => _state = Ended;

    /// <summary>A call nobody watches: it is never reported as slow.</summary>
    public static WatchedCall Unwatched { get; } = new();

    /// <summary>
    /// Ends the watch when the call has ended. True when the call was reported as slow (after waiting for that report,
    /// so that it finishes within the invocation); then its failure must not be reported again. False when it ended in
    /// time, or when the slow report said it was not made (or threw), so that the call's own failure is reported instead.
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

        return await _reported.Task.ConfigureAwait(false);
    }

    private void Abandon()
    {
        Interlocked.CompareExchange(ref _state, Ended, Pending);
        _timer!.Dispose();
    }

    private void OnSlow()
    {
        // The call's end and the timer may race: whichever moves the state first decides.
        if (Interlocked.CompareExchange(ref _state, Slow, Pending) == Pending)
        {
            _ = ReportAsync();
        }
    }

    private async Task ReportAsync()
    {
        try
        {
            _reported.TrySetResult(await _reportSlow!().ConfigureAwait(false));
        }
        catch (Exception)
        {
            // A report is expected to handle its own faults; this one did not, so the call's end reports instead.
            _reported.TrySetResult(false);
        }
    }
}
