using System.Collections.Concurrent;

namespace CircuitBreaker.Local.EventBridge;

/// <summary>
/// Delivers matched events to rule targets in the background, at least once: a failed attempt is
/// retried with exponential backoff, always with the same envelope (so the same event id), until
/// the attempts run out; then the event is dropped and logged, as EventBridge drops it without a DLQ.
/// </summary>
internal sealed class EventDelivery : IAsyncDisposable
{
    private readonly ConcurrentDictionary<Task, byte> _inFlight = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly LocalEventBridgeOptions _options;
    private readonly TimeProvider _time;
    private readonly TextWriter _log;
    private long _delivered;
    private long _dropped;
    private long _attempts;

    public EventDelivery(LocalEventBridgeOptions options, TimeProvider time, TextWriter log)
    {
        _options = options;
        _time = time;
        _log = log;
    }

    /// <summary>Envelopes their target accepted.</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>Envelopes given up on.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Calls of targets, retries included.</summary>
    public long Attempts => Interlocked.Read(ref _attempts);

    /// <summary>Deliveries still trying.</summary>
    public int InFlight => _inFlight.Count;

    /// <summary>Starts delivering <paramref name="envelope"/> to the rule's target; returns at once.</summary>
    public void Enqueue(EventRule rule, string eventId, byte[] envelope)
    {
        var delivery = Task.Run(() => DeliverAsync(rule, eventId, envelope, _stopping.Token), CancellationToken.None);
        _inFlight[delivery] = 0;
        _ = delivery.ContinueWith(done => _inFlight.TryRemove(done, out _), CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_inFlight.Keys).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Deliveries end by cancellation; anything still retrying at shutdown is abandoned, as logged.
        }

        _stopping.Dispose();
    }

    private async Task DeliverAsync(EventRule rule, string eventId, byte[] envelope, CancellationToken stopping)
    {
        var delay = _options.EffectiveFirstRetryDelay;
        string? lastProblem = null;
        for (var attempt = 1; attempt <= _options.MaxDeliveryAttempts; attempt++)
        {
            if (attempt > 1)
            {
                try
                {
                    await Task.Delay(delay, _time, stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    _log.WriteLine($"eventbridge: event {eventId} for rule {rule.Name} abandoned at shutdown after {attempt - 1} attempt(s)");
                    return;
                }

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.EffectiveMaxRetryDelay.Ticks));
            }

            Interlocked.Increment(ref _attempts);
            try
            {
                if (await rule.Target(envelope, stopping).ConfigureAwait(false))
                {
                    Interlocked.Increment(ref _delivered);
                    return;
                }

                lastProblem = "the target did not accept it";
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                _log.WriteLine($"eventbridge: event {eventId} for rule {rule.Name} abandoned at shutdown after {attempt} attempt(s)");
                return;
            }
            catch (Exception exception)
            {
                lastProblem = exception.Message;
            }
        }

        // Said before it is counted, so whoever watches the count also finds the reason.
        _log.WriteLine($"eventbridge: dropped event {eventId} for rule {rule.Name} after {_options.MaxDeliveryAttempts} attempts: {lastProblem}");
        Interlocked.Increment(ref _dropped);
    }
}
