using CircuitBreaker.Contract;
using CircuitBreaker.Core.Breaker;
using CircuitBreaker.Core.Events;
using CircuitBreaker.Core.Logging;
using CircuitBreaker.Functions.Runtime;

namespace CircuitBreaker.Functions.Handlers;

/// <summary>
/// Slow-call detection (<see cref="CircuitSettings.SlowCallThreshold"/>): a downstream call still pending after the
/// threshold is published as failed at that moment, reason <see cref="FailureReasons.Slow"/>, so a hanging downstream
/// opens the circuit after about the threshold plus delivery instead of after the full timeout. The call itself goes
/// on; if it then succeeds, its client still gets the answer. With no threshold set, calls are not watched.
/// </summary>
/// <param name="publisher">Where the slow call's failure event goes.</param>
/// <param name="settings">The threshold and the service id.</param>
/// <param name="time">The clock the threshold runs on.</param>
/// <param name="log">Where a publication, or its failure, is written.</param>
/// <param name="publishBudget">The most one publication may take, as for any failure event (the webservice's publish budget).</param>
internal sealed class SlowCallWatch(IFailurePublisher publisher, CircuitSettings settings, TimeProvider time, FunctionLog log, TimeSpan publishBudget)
{
    /// <summary>What a slow call's publication leaves of the invocation for answering.</summary>
    internal static readonly TimeSpan AnswerMargin = TimeSpan.FromMilliseconds(250);

    /// <summary>Starts watching the call that <paramref name="invocation"/> is about to make; end it with <see cref="WatchedCall.EndAsync"/>.</summary>
    /// <param name="invocation">The invocation making the call: its request id goes in the event, its deadline bounds the publication.</param>
    /// <param name="state">The circuit's state as the request saw it, for logs.</param>
    /// <param name="cancellationToken">The invocation's cancellation.</param>
    public WatchedCall Watch(LambdaInvocation invocation, CircuitView state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        if (settings.SlowCallThreshold is not { } threshold)
        {
            return WatchedCall.Unwatched;
        }

        var started = time.GetTimestamp();
        return new WatchedCall(time, threshold, () => PublishAsync(invocation, state, started, cancellationToken), cancellationToken);
    }

    private async Task<bool> PublishAsync(LambdaInvocation invocation, CircuitView state, long started, CancellationToken cancellationToken)
    {
        var elapsed = time.GetElapsedTime(started);
        var failure = new FailureEventDetail(
            settings.ServiceId,
            time.GetUtcNow().ToUnixTimeMilliseconds(),
            FailureReasons.Slow,
            null,
            invocation.RequestId,
            Math.Round(elapsed.TotalMilliseconds, 1));
        var scope = new LogScope(invocation.RequestId, settings.ServiceId, state.Name());

        // The call's own answer waits for this publication: like any failure's, it is bounded by the publish budget.
        var remaining = invocation.RemainingTime(time) - AnswerMargin;
        var budgetLeft = remaining < publishBudget ? remaining : publishBudget;
        using var deadline = new CancellationTokenSource(budgetLeft > TimeSpan.Zero ? budgetLeft : TimeSpan.Zero, time);
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var published = await publisher.PublishAsync(failure, budget.Token).ConfigureAwait(false);
        if (published)
        {
            log.Info("slow call published as failed", scope, ("elapsedMs", failure.ElapsedMilliseconds));
        }
        else
        {
            log.Warn("slow call not published: its failure, if it fails, will be published when it ends", scope, ("elapsedMs", failure.ElapsedMilliseconds));
        }

        return published;
    }
}
