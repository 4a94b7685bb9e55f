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
/// Each flush carries its own id, and the store adds a flush at most once: one whose answer was lost (DynamoDB may
/// have applied it) is sent again as it was, and the calls counted meanwhile wait for the flush after it.
/// A store whose writes cost nothing (the in-memory one) is flushed after every call instead (<paramref name="flushEveryCall"/>).
/// </remarks>
/// <param name="store">Where the counters are.</param>
/// <param name="serviceId">The circuit whose calls are counted.</param>
/// <param name="settings">The circuit's policy: ratio mode or not, and the window.</param>
/// <param name="time">The clock.</param>
/// <param name="log">Where a flush that failed is written.</param>
/// <param name="flushEveryCall">True to flush whenever a call is waiting, without batching.</param>
public sealed class SuccessCounter(ICircuitStore store, string serviceId, CircuitPolicy settings, TimeProvider time, FunctionLog log, bool flushEveryCall = false)
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

    // A flush sent whose outcome is unknown (a fault or a timeout): sent again, as it is, before anything new.
    private SuccessCount? _unsure;
    private DateTimeOffset _oldestPendingAt;
    private DateTimeOffset _latestPendingAt;
    // A new instance writes its first batch without waiting out an interval, so that its calls are seen early.
    private DateTimeOffset _lastFlushAt = DateTimeOffset.MinValue;
    private bool _flushing;

    // Completes when the flush under way (if any) has ended: what a call that started beside it waits for before answering.
    private Task _inFlight = Task.CompletedTask;

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
    /// fault or a flush slower than <see cref="FlushBudget"/> is logged and the same flush (same id, same calls) is sent
    /// again when the next one is due, so it counts once whether or not DynamoDB had applied it.
    /// </summary>
    public Task FlushIfDueAsync(string requestId, CancellationToken cancellationToken)
    {
        if (!_isOn)
        {
            return Task.CompletedTask;
        }

        SuccessCount flush;
        TaskCompletionSource done;
        var now = time.GetUtcNow();
        lock (_lock)
        {
            if (_flushing || (!flushEveryCall && now - _lastFlushAt < FlushInterval))
            {
                return Task.CompletedTask;
            }

            if (_unsure is { } unsure && SuccessBuckets.StartOf(now - settings.Window) > unsure.BucketStart)
            {
                // Its second has left every window: applied or not, it can no longer count.
                log.Warn(
                    "successful calls given up: their flush's outcome is unknown and their second has left the window",
                    new LogScope(requestId, serviceId),
                    ("calls", unsure.Count),
                    ("flushId", unsure.FlushId));
                _unsure = null;
            }

            if (_unsure is not null)
            {
                flush = _unsure;
            }
            else
            {
                var due = _pending > 0 && (flushEveryCall || _pending >= BatchSize || now - _oldestPendingAt >= MaxDelay);
                if (!due)
                {
                    return Task.CompletedTask;
                }

                var bucket = SuccessBuckets.StartOf(_latestPendingAt);
                flush = new SuccessCount(serviceId, bucket, _pending, SuccessBuckets.ExpiryOf(bucket, settings), SuccessFlushIds.New());
                _pending = 0;
            }

            _flushing = true;
            _lastFlushAt = now;
            done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _inFlight = done.Task;
        }

        return FlushAsync(requestId, flush, done, cancellationToken);
    }

    /// <summary>
    /// The flush under way, started beside some call (the circuit starts one when it admits a call): a call awaits it
    /// before its answer, since a Lambda instance runs nothing once it has answered. Never faults.
    /// </summary>
    public Task InFlight
    {
        get
        {
            lock (_lock)
            {
                return _inFlight;
            }
        }
    }

    /// <summary>True while a flush whose outcome is unknown waits to be sent again (its calls are not in <see cref="Pending"/>).</summary>
    public bool HasUnsureFlush
    {
        get
        {
            lock (_lock)
            {
                return _unsure is not null;
            }
        }
    }

    private async Task FlushAsync(string requestId, SuccessCount flush, TaskCompletionSource done, CancellationToken cancellationToken)
    {
        var settled = false;
        try
        {
            using var budget = new CancellationTokenSource(FlushBudget, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, budget.Token);

            // False when an earlier attempt had been applied after all: settled just the same.
            await store.AddSuccessesAsync(flush, linked.Token).ConfigureAwait(false);
            settled = true;
        }
        catch (Exception error)
        {
            // Counting is housekeeping: whatever went wrong, the request is answered as if it had not been tried.
            // DynamoDB may have applied the write before its answer was lost, so the flush is kept as it is and sent
            // again with its id, which the store adds once; merging its calls into a new flush could count them twice.
            log.Warn(
                "successful calls not confirmed added to the counter: the same flush is sent again",
                new LogScope(requestId, serviceId),
                ("calls", flush.Count),
                ("flushId", flush.FlushId),
                ("error", $"{error.GetType().Name}: {error.Message}"));
        }
        finally
        {
            lock (_lock)
            {
                _unsure = settled ? null : flush;
                _flushing = false;
            }

            done.SetResult();
        }
    }
}

/// <summary>The ids that make each success flush idempotent (<see cref="SuccessCount.FlushId"/>).</summary>
internal static class SuccessFlushIds
{
    /// <summary>
    /// A new id: 96 random bits in 16 URL-safe characters. Short, since every flush's id stays in its bucket's item and
    /// the ratio's strongly consistent read pays for the item's whole size; random, since any instance may flush into
    /// the same bucket.
    /// </summary>
    public static string New()
    {
        Span<byte> bits = stackalloc byte[12];
        System.Security.Cryptography.RandomNumberGenerator.Fill(bits);
        return Convert.ToBase64String(bits).Replace('+', '-').Replace('/', '_');
    }
}
