using CircuitBreaker.Contract;
using CircuitBreaker.Core.Logging;
using CircuitBreaker.Core.Store;

namespace CircuitBreaker.Core.Breaker;

/// <summary>
/// Failure-ratio mode's webservice side: counts this instance's downstream calls that did not fail, in memory, and
/// adds them to the table's per-second counter (<see cref="SuccessBuckets"/>) with one atomic write per flush. A Lambda
/// instance is frozen between invocations, so a flush happens only during one: the handler starts
/// <see cref="FlushIfDueAsync"/> beside its downstream call and awaits it before answering.
/// </summary>
/// <remarks>
/// A flush is due at most once per <see cref="FlushInterval"/>, and only once <see cref="BatchSize"/> calls wait or the
/// oldest has waited <see cref="MaxDelay"/>: a busy instance costs one write per second, a quiet one one write per
/// <see cref="MaxDelay"/> at most, and no instance writes more than once per <see cref="BatchSize"/> calls unless its
/// calls would otherwise wait longer than <see cref="MaxDelay"/>. All waiting calls go to the bucket of the latest one:
/// the window's leading edge misses the calls not yet flushed, its trailing edge keeps flushed calls up to the same
/// delay longer, and the two roughly cancel. Failures are not counted here: the recorder adds the failure items.
/// </remarks>
internal sealed class SuccessCounter(ICircuitStore store, CircuitSettings settings, TimeProvider time, FunctionLog log)
{
    /// <summary>The shortest time between two flushes of one instance.</summary>
    public static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(1);

    /// <summary>Calls that make a flush due (once <see cref="FlushInterval"/> has passed) however recent they are.</summary>
    public const int BatchSize = 20;

    /// <summary>How long the store may take to add a flush before the request stops waiting for it.</summary>
    public static readonly TimeSpan FlushBudget = TimeSpan.FromMilliseconds(300);

    private readonly Lock _lock = new();
    private readonly bool _isOn = settings.FailureRatio is not null;
    private long _pending;
    private DateTimeOffset _oldestPendingAt;
    private DateTimeOffset _latestPendingAt;
    // A new instance writes its first batch without waiting out an interval, so that its calls are seen early.
    private DateTimeOffset _lastFlushAt = DateTimeOffset.MinValue;
    private bool _flushing;

    /// <summary>
    /// The longest a counted call waits for its flush while the instance keeps being invoked: a twelfth of the window,
    /// between one and five seconds, so the ratio's denominator lags by a small share of the window.
    /// </summary>
    public TimeSpan MaxDelay { get; } = TimeSpan.FromTicks(Math.Clamp(settings.Window.Ticks / 12, TimeSpan.TicksPerSecond, 5 * TimeSpan.TicksPerSecond));

    /// <summary>Calls counted and not yet added to the table.</summary>
    public long Pending
    {
        get
        {
            lock (_lock)
            {
                return _pending;
            }
        }
    }

    /// <summary>Counts one downstream call that did not fail. Does nothing in count mode.</summary>
    public void CountSuccess()
    {
        if (!_isOn)
        {
            return;
        }

        var now = time.GetUtcNow();
        lock (_lock)
        {
            if (_pending == 0)
            {
                _oldestPendingAt = now;
            }

            _pending++;
            _latestPendingAt = now;
        }
    }

    /// <summary>
    /// Adds the waiting calls to the table when a flush is due; otherwise completes at once. Never throws: a store
    /// fault or a flush slower than <see cref="FlushBudget"/> is logged and the calls wait for the next flush.
    /// </summary>
    public Task FlushIfDueAsync(string requestId, CancellationToken cancellationToken)
    {
        if (!_isOn)
        {
            return Task.CompletedTask;
        }

        long count;
        DateTimeOffset oldest, latest;
        var now = time.GetUtcNow();
        lock (_lock)
        {
            var due = _pending > 0
                && !_flushing
                && now - _lastFlushAt >= FlushInterval
                && (_pending >= BatchSize || now - _oldestPendingAt >= MaxDelay);
            if (!due)
            {
                return Task.CompletedTask;
            }

            (count, oldest, latest) = (_pending, _oldestPendingAt, _latestPendingAt);
            _pending = 0;
            _flushing = true;
            _lastFlushAt = now;
        }

        return FlushAsync(requestId, count, oldest, latest, cancellationToken);
    }

    private async Task FlushAsync(string requestId, long count, DateTimeOffset oldest, DateTimeOffset latest, CancellationToken cancellationToken)
    {
        var bucket = SuccessBuckets.StartOf(latest);
        var flushed = false;
        try
        {
            using var budget = new CancellationTokenSource(FlushBudget, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, budget.Token);
            await store.AddSuccessesAsync(
                new SuccessCount(settings.ServiceId, bucket, count, SuccessBuckets.ExpiryOf(bucket, settings)),
                linked.Token).ConfigureAwait(false);
            flushed = true;
        }
        catch (Exception error)
        {
            // Counting is housekeeping: whatever went wrong, the request is answered as if it had not been tried.
            // The calls may have been added just before the answer was lost; counting them twice then errs towards
            // keeping the circuit closed, the safe side of a lost count.
            log.Warn(
                "successful calls not added to the counter: kept for the next flush",
                new LogScope(requestId, settings.ServiceId),
                ("calls", count),
                ("error", $"{error.GetType().Name}: {error.Message}"));
        }
        finally
        {
            lock (_lock)
            {
                if (!flushed)
                {
                    _oldestPendingAt = _pending == 0 || oldest < _oldestPendingAt ? oldest : _oldestPendingAt;
                    _latestPendingAt = _pending == 0 || latest > _latestPendingAt ? latest : _latestPendingAt;
                    _pending += count;
                }

                _flushing = false;
            }
        }
    }
}
