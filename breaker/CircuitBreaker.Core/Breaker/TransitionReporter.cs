using CircuitBreaker.Contract;
using CircuitBreaker.Core.Events;
using CircuitBreaker.Core.Logging;

namespace CircuitBreaker.Core.Breaker;

/// <summary>
/// Reports each circuit transition: the transition log line (<see cref="TransitionLog"/>), then the
/// <see cref="StateChangeEvents"/> event on the bus, so that operators are told without reading logs.
/// Publishing is bounded by <see cref="PublishBudget"/>: a slow or unreachable bus costs the request that
/// made the transition at most that long (the client's answer matters more than the notification, which the log
/// line and the metrics still carry), and a lost event leaves a Warn line behind.
/// </summary>
public sealed class TransitionReporter
{
    private readonly FunctionLog _log;
    private readonly IStateChangePublisher? _publisher;
    private readonly TimeProvider _time;

    /// <summary>Logs to <paramref name="log"/> and publishes through <paramref name="publisher"/>.</summary>
    /// <param name="log">Receives the transition line and the Warn line of a lost event.</param>
    /// <param name="publisher">Puts the events on the bus; null when the function has no bus (only the line is written).</param>
    /// <param name="time">The clock of the event's time and of the budget.</param>
    public TransitionReporter(FunctionLog log, IStateChangePublisher? publisher, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(time);
        _log = log;
        _publisher = publisher;
        _time = time;
    }

    /// <summary>A reporter that only writes the line: for functions without a bus, and tests of the breaker's logic.</summary>
    public static TransitionReporter LogOnly(FunctionLog log, TimeProvider time) => new(log, null, time);

    /// <summary>
    /// Writes the transition line and publishes the event. Never throws for a fault of the bus and returns
    /// within <see cref="PublishBudget.Longest"/> (or sooner, when <paramref name="cancellationToken"/> is cancelled).
    /// </summary>
    /// <param name="scope">The request and circuit the transition belongs to.</param>
    /// <param name="from">The state before.</param>
    /// <param name="to">The state after.</param>
    /// <param name="reason">Why, in words.</param>
    /// <param name="openUntil">Until when the circuit fails fast, when <paramref name="to"/> is open.</param>
    /// <param name="cancellationToken">The caller's own deadline.</param>
    /// <returns>True when the event was put on the bus.</returns>
    public async Task<bool> ReportAsync(
        LogScope scope, CircuitView from, CircuitView to, string reason, DateTimeOffset? openUntil, CancellationToken cancellationToken)
    {
        _log.Transition(scope, from, to, reason);
        if (_publisher is null || scope.ServiceId is null)
        {
            return false;
        }

        var detail = new CircuitStateChangeDetail(scope.ServiceId, from.Name(), to.Name(), reason, _time.GetUtcNow(), openUntil, scope.RequestId);
        using var budget = new CancellationTokenSource(PublishBudget.Longest, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, budget.Token);
        bool published;
        try
        {
            published = await _publisher.PublishAsync(detail, linked.Token).ConfigureAwait(false);
        }
        catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A publisher that breaks its promise not to throw must still not cost the request its answer.
            _log.Warn("State change event not published", scope with { CircuitState = to.Name() }, ("error", error));
            return false;
        }

        return published;
    }
}
