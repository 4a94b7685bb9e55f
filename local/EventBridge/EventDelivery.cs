using System.Collections.Concurrent;
using CircuitBreaker.Local.LambdaService;

namespace CircuitBreaker.Local.EventBridge;

/// <summary>
/// Delivers matched events to rule targets in the background, at least once, each after the bus's delivery latency
/// (<see cref="LocalEventBridgeOptions.DeliveryLatency"/>, none by default). A delivery the target did not take is
/// retried with exponential backoff and jitter, always with the same envelope (so the same event id), within the
/// target's retry policy (<see cref="LocalEventBridgeOptions"/>); then the event goes to the bus's dead letters, with one
/// console line. A target that took the event is done with by the bus: for a Lambda target, what the function does
/// with it is Lambda's business (<see cref="AsyncInvocations"/>), as on AWS.
/// </summary>
internal sealed class EventDelivery : IAsyncDisposable
{
    private readonly ConcurrentDictionary<Task, byte> _inFlight = new();
    private readonly ConcurrentQueue<UndeliveredEvent> _deadLetters = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly LocalEventBridgeOptions _options;
    private readonly TimeProvider _time;
    private readonly TextWriter _log;
    private long _delivered;
    private long _deadLettered;
    private long _attempts;
    private int _waitingForRetry;

    public EventDelivery(LocalEventBridgeOptions options, TimeProvider time, TextWriter log)
    {
        _options = options;
        _time = time;
        _log = log;
    }

    /// <summary>Envelopes their target took.</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>Envelopes given up on (see <see cref="DeadLetters"/>).</summary>
    public long DeadLettered => Interlocked.Read(ref _deadLettered);

    /// <summary>Deliveries tried, retries included.</summary>
    public long Attempts => Interlocked.Read(ref _attempts);

    /// <summary>Deliveries still trying.</summary>
    public int InFlight => _inFlight.Count;

    /// <summary>Deliveries waiting for their next try.</summary>
    public int WaitingForRetry => Volatile.Read(ref _waitingForRetry);

    /// <summary>Events given up on, oldest first: what the target's dead-letter queue would hold.</summary>
    public IReadOnlyCollection<UndeliveredEvent> DeadLetters => _deadLetters;

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
        if (_options.DeliveryLatency > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(_options.DeliveryLatency, _time, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Abandoned(rule, eventId, 0);
                return;
            }
        }

        var firstTry = _time.GetTimestamp();
        var backoff = _options.EffectiveFirstRetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            Interlocked.Increment(ref _attempts);
            string problem;
            try
            {
                if (await rule.Target(envelope, stopping).ConfigureAwait(false))
                {
                    Interlocked.Increment(ref _delivered);
                    return;
                }

                problem = "the target did not take it";
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                Abandoned(rule, eventId, attempt);
                return;
            }
            catch (Exception exception)
            {
                problem = exception.Message;
            }

            if (attempt > _options.MaximumRetryAttempts)
            {
                GiveUp(rule, eventId, attempt, problem, envelope);
                return;
            }

            var delay = Jittered(backoff);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.EffectiveMaxRetryDelay.Ticks));
            if (_time.GetElapsedTime(firstTry) + delay > _options.EffectiveMaximumEventAge)
            {
                GiveUp(rule, eventId, attempt,
                    $"{problem} (the event would be older than {_options.EffectiveMaximumEventAge.TotalSeconds:0.##} s at its next delivery)", envelope);
                return;
            }

            Interlocked.Increment(ref _waitingForRetry);
            try
            {
                await Task.Delay(delay, _time, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Abandoned(rule, eventId, attempt);
                return;
            }
            finally
            {
                Interlocked.Decrement(ref _waitingForRetry);
            }
        }
    }

    // Between half the backoff and all of it: retries of many events spread out instead of arriving together.
    private static TimeSpan Jittered(TimeSpan backoff) => backoff / 2 + backoff / 2 * Random.Shared.NextDouble();

    private void GiveUp(EventRule rule, string eventId, int attempts, string error, byte[] envelope)
    {
        // Kept and counted before it is said, so whoever reads the line also finds the dead letter.
        _deadLetters.Enqueue(new UndeliveredEvent(rule.Name, eventId, attempts, error, envelope));
        Interlocked.Increment(ref _deadLettered);
        _log.WriteLine(DeadLetterLine.Format($"eventbridge rule {rule.Name}", eventId, attempts, error));
    }

    private void Abandoned(EventRule rule, string eventId, int attempts) =>
        _log.WriteLine(DeadLetterLine.Escape($"eventbridge: event {eventId} for rule {rule.Name} abandoned at shutdown after {attempts} attempt(s)"));
}
