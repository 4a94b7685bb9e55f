namespace CircuitBreaker.Polly.Strategy;

/// <summary>
/// Watches one call for slowness: if it is still running after the threshold, starts the report of its
/// failure at that moment, once. <see cref="FinishAsync"/> says whether that happened and waits for the report,
/// so that nothing is left running when a Lambda invocation returns (a frozen instance runs nothing).
/// </summary>
internal sealed class SlowCallWatch
{
    private const int Running = 0;
    private const int Slow = 1;
    private const int Finished = 2;

    private readonly Func<ValueTask> _reportSlow;
    private readonly ITimer _timer;
    private readonly TaskCompletionSource _reported = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _state;

    private SlowCallWatch(TimeProvider time, TimeSpan threshold, Func<ValueTask> reportSlow)
    {
        _reportSlow = reportSlow;
        _timer = time.CreateTimer(static watch => ((SlowCallWatch)watch!).OnThreshold(), this, threshold, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Starts watching.</summary>
    /// <param name="time">The clock whose timer measures the threshold.</param>
    /// <param name="threshold">How long the call may run before it is slow.</param>
    /// <param name="reportSlow">Reports the call as failed (slow); must not throw.</param>
    public static SlowCallWatch Start(TimeProvider time, TimeSpan threshold, Func<ValueTask> reportSlow) => new(time, threshold, reportSlow);

    /// <summary>Ends the watch. True when the call was reported slow, once that report has completed.</summary>
    public async ValueTask<bool> FinishAsync()
    {
        _timer.Dispose();
        if (Interlocked.CompareExchange(ref _state, Finished, Running) == Running)
        {
            return false;
        }

        await _reported.Task.ConfigureAwait(false);
        return true;
    }

    private void OnThreshold()
    {
        if (Interlocked.CompareExchange(ref _state, Slow, Running) == Running)
        {
            _ = ReportAsync();
        }
    }

    private async Task ReportAsync()
    {
        try
        {
            await _reportSlow().ConfigureAwait(false);
        }
        finally
        {
            _reported.TrySetResult();
        }
    }
}
