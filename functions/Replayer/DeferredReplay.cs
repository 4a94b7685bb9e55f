using CircuitBreaker.Contract;
using CircuitBreaker.Core.Logging;
using CircuitBreaker.Aws.DynamoDb;
using CircuitBreaker.Core.Store;
using CircuitBreaker.Functions.Webservice.Downstream;
using CircuitBreaker.Functions.Webservice;
using CircuitBreaker.Functions.Runtime;
using CircuitBreaker.Polly;
using Polly;
using Polly.CircuitBreaker;

namespace CircuitBreaker.Functions.Replayer;

/// <summary>
/// Replays one route's deferred requests in arrival order, at most <see cref="DeferOptions.ReplayPerSecond"/> a second,
/// through the route's relay (its downstream and header policy) and the same breaker the webservice uses (the Polly
/// pipeline over the route's circuit: a failure counts and is published, an open circuit stops the replay). Each
/// request carries an <c>Idempotency-Key</c> (the client's own, or its deferred id). An item is claimed with a
/// conditional write before it is sent, deleted only once the downstream answered, and given back when the replay
/// stops before an answer: delivery is at least once, and the key lets the downstream make it exactly once.
/// </summary>
internal sealed class DeferredReplay
{
    /// <summary>Items read per query.</summary>
    internal const int PageSize = 25;

    /// <summary>What is kept back from the invocation's deadline besides one call's timeout: the last deletes and the resume event.</summary>
    internal static readonly TimeSpan DeadlineMargin = TimeSpan.FromSeconds(2);

    private readonly ResiliencePipeline<DownstreamOutcome> _pipeline;
    private readonly DeferredRequestStore _store;
    private readonly DownstreamClient _downstream;
    private readonly CircuitSettings _settings;
    private readonly IDeadLetterQueue _deadLetters;
    private readonly TimeProvider _time;
    private readonly FunctionLog _log;

    /// <summary>The replay of the route <paramref name="settings"/> describe, through <paramref name="circuit"/>.</summary>
    public DeferredReplay(
        IDistributedCircuit circuit,
        DeferredRequestStore store,
        DownstreamClient downstream,
        CircuitSettings settings,
        IDeadLetterQueue deadLetters,
        TimeProvider time,
        FunctionLog log)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        _store = store;
        _downstream = downstream;
        _settings = settings;
        _deadLetters = deadLetters;
        _time = time;
        _log = log;
        // A replay never calls without the breaker: a store it cannot read stops the replay, and the next close resumes it.
        _pipeline = RoutePipeline.Build(circuit, settings, failOpen: false, time);
    }

    // The dead letter's reason for a stored item whose path would leave the route's downstream.
    private const string UnsafeTargetError = "the stored path does not stay on the route's downstream origin";

    /// <summary>The route's circuit.</summary>
    public string ServiceId => _settings.ServiceId;

    /// <summary>Replays until the queue is empty, the circuit refuses, another replayer holds the next item, or the time runs out.</summary>
    public async Task<ReplaySummary> RunAsync(LambdaInvocation invocation, EmbeddedMetrics metrics, CancellationToken cancellationToken)
    {
        var summary = new ReplaySummary(ServiceId);
        var pace = TimeSpan.FromSeconds(1 / _settings.Target.Defer.ReplayPerSecond);
        var nextSend = _time.GetUtcNow();
        string? after = null;
        try
        {
            while (true)
            {
                var page = await _store.ListAsync(ServiceId, PageSize, after, cancellationToken).ConfigureAwait(false);
                foreach (var item in page)
                {
                    var (next, stop) = await ReplayOneAsync(invocation, item, pace, nextSend, summary, metrics, cancellationToken).ConfigureAwait(false);
                    nextSend = next;
                    if (stop is not null)
                    {
                        return summary with { Stopped = stop };
                    }

                    after = item.SortKey;
                }

                if (page.Count < PageSize)
                {
                    return summary with { Stopped = ReplayStop.Done };
                }
            }
        }
        catch (CircuitStoreUnavailableException e)
        {
            _log.Warn("replay stopped: the store failed", new LogScope(invocation.RequestId, ServiceId), ("error", e.Message));
            return summary with { Stopped = ReplayStop.StoreUnavailable };
        }
    }

    // One item: sent, and sent again after a failure, until the downstream answers, the circuit refuses, or its attempts
    // run out (then it is dead-lettered, and the replay goes on with the next).
    private async Task<(DateTimeOffset NextSend, string? Stop)> ReplayOneAsync(
        LambdaInvocation invocation, DeferredRequest item, TimeSpan pace, DateTimeOffset nextSend, ReplaySummary summary, EmbeddedMetrics metrics, CancellationToken cancellationToken)
    {
        var owner = invocation.RequestId;
        var scope = new LogScope(invocation.RequestId, ServiceId);
        var defer = _settings.Target.Defer;
        while (true)
        {
            var now = _time.GetUtcNow();
            if (item.ClaimedUntil is { } held && held > now)
            {
                return (nextSend, ReplayStop.HeldElsewhere);
            }

            var callTimeout = _settings.Target.DownstreamTimeout;
            if (invocation.Deadline - (nextSend > now ? nextSend : now) < callTimeout + CircuitSettings.ResponseReserve + DeadlineMargin)
            {
                return (nextSend, ReplayStop.TimeBudget);
            }

            if (nextSend > now)
            {
                await Task.Delay(nextSend - now, _time, cancellationToken).ConfigureAwait(false);
                now = _time.GetUtcNow();
            }

            nextSend = (nextSend > now ? nextSend : now) + pace;
            var claimedUntil = now + callTimeout + CircuitSettings.ResponseReserve + DeadlineMargin;
            if (!await _store.TryClaimAsync(item, owner, now, claimedUntil, cancellationToken).ConfigureAwait(false))
            {
                // Gone (a replayer or an operator finished it) or held by another replayer, which owns the queue now.
                return (nextSend, ReplayStop.HeldElsewhere);
            }

            if (TargetOf(_settings.Target.DownstreamUrl, item.PathAndQuery) is null)
            {
                // Only a write to the table by someone else makes such an item; it is never sent, and never retried.
                await DeadLetterAsync(item, owner, UnsafeTargetError, summary, metrics, scope, cancellationToken).ConfigureAwait(false);
                return (nextSend, null);
            }

            var settled = false;
            try
            {
                var (outcome, refused) = await SendAsync(invocation, item, cancellationToken).ConfigureAwait(false);
                if (refused is not null)
                {
                    settled = true;
                    await _store.ReleaseAsync(item, owner, CancellationToken.None).ConfigureAwait(false);
                    return (nextSend, refused);
                }

                // An answer the route does not count as a failure settles the request, whatever its status (a 400 is the
                // request's own problem, and sending it again would not change it).
                if (!outcome!.IsFailure && outcome.StatusCode is not null)
                {
                    settled = true;
                    await _store.DeleteAsync(ServiceId, item.SortKey, owner, CancellationToken.None).ConfigureAwait(false);
                    summary.Replayed++;
                    metrics.Count(CircuitMetrics.Replayed);
                    _log.Info(
                        "deferred request replayed",
                        scope,
                        ("deferredId", item.Id),
                        ("method", item.Method),
                        ("status", outcome.StatusCode),
                        ("attempt", item.Attempts + 1));
                    return (nextSend, null);
                }

                settled = true;
                var error = outcome.StatusCode is { } status ? $"status {status}" : outcome.Error ?? outcome.Kind.ToString();
                var attempts = await _store.RecordFailureAsync(item, owner, error, CancellationToken.None).ConfigureAwait(false);
                summary.Failed++;
                metrics.Count(CircuitMetrics.ReplayFailed);
                _log.Warn("deferred request replay failed", scope, ("deferredId", item.Id), ("error", error), ("attempts", attempts));
                if (attempts is null)
                {
                    return (nextSend, ReplayStop.HeldElsewhere);
                }

                item = item with { Attempts = attempts.Value, LastError = error, ClaimedUntil = null };
                if (attempts >= defer.MaxAttempts)
                {
                    await DeadLetterAsync(item, owner, error, summary, metrics, scope, cancellationToken).ConfigureAwait(false);
                    return (nextSend, null);
                }
            }
            finally
            {
                if (!settled)
                {
                    // Stopped before an answer (the invocation's end, Ctrl+C locally): the item is given back at once, so
                    // that the next replay need not wait for the claim to run out. It was not deleted: nothing is lost.
                    using var release = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                    try
                    {
                        await _store.ReleaseAsync(item, owner, release.Token).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is CircuitStoreUnavailableException or OperationCanceledException)
                    {
                        // The claim runs out by itself.
                    }
                }
            }
        }
    }

    private async Task DeadLetterAsync(
        DeferredRequest item, string owner, string error, ReplaySummary summary, EmbeddedMetrics metrics, LogScope scope, CancellationToken cancellationToken)
    {
        if (!await _deadLetters.SendAsync(item, item.Attempts, error, cancellationToken).ConfigureAwait(false))
        {
            // Kept: the next replay tries the queue again rather than lose the request.
            return;
        }

        await _store.DeleteAsync(ServiceId, item.SortKey, owner: null, CancellationToken.None).ConfigureAwait(false);
        summary.DeadLettered++;
        metrics.Count(CircuitMetrics.ReplayDeadLettered);
        _log.Warn("deferred request dead-lettered", scope, ("deferredId", item.Id), ("attempts", item.Attempts), ("error", error));
    }

    // The request through the pipeline; the refusal's stop reason when the circuit let no call through.
    private async Task<(DownstreamOutcome? Outcome, string? Refused)> SendAsync(LambdaInvocation invocation, DeferredRequest item, CancellationToken cancellationToken)
    {
        var request = RelayRequestOf(item);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            context.Properties.Set(DistributedCircuitBreakerProperties.RequestId, invocation.RequestId);
            context.Properties.Set(DistributedCircuitBreakerProperties.Deadline, invocation.Deadline - WebserviceHandler.AnswerMargin);
            var outcome = await _pipeline.ExecuteOutcomeAsync(
                static async (context, state) => Outcome.FromResult(await state.Replay._downstream.CallAsync(
                    state.Request, state.Replay._settings.Target.DownstreamTimeout, state.Replay._settings.Policy.FailureStatusCodes, context.CancellationToken).ConfigureAwait(false)),
                context,
                (Replay: this, Request: request)).ConfigureAwait(false);
            switch (outcome.Exception)
            {
                case IsolatedCircuitException:
                    return (null, ReplayStop.CircuitIsolated);
                case BrokenCircuitException:
                    return (null, ReplayStop.CircuitOpen);
                case BreakerUnavailableException or CallNotMadeException:
                    return (null, ReplayStop.StoreUnavailable);
            }

            outcome.ThrowIfException();
            return (outcome.Result, null);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>
    /// The URL a stored path and query go to: on the route's downstream origin, or null when they would leave it (a path
    /// that does not start with <c>/</c>, such as <c>@other.host/x</c>, would make the text name another host).
    /// </summary>
    internal static Uri? TargetOf(Uri downstreamUrl, string pathAndQuery)
    {
        ArgumentNullException.ThrowIfNull(downstreamUrl);
        var origin = downstreamUrl.GetLeftPart(UriPartial.Authority);
        if (!pathAndQuery.StartsWith('/')
            || !Uri.TryCreate(origin + pathAndQuery, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true }, out var target))
        {
            return null;
        }

        return string.Equals(target.GetLeftPart(UriPartial.Authority), origin, StringComparison.Ordinal) ? target : null;
    }

    /// <summary>The deferred request as the relay sends it: to the route's downstream origin today, with an <c>Idempotency-Key</c>.</summary>
    internal RelayRequest RelayRequestOf(DeferredRequest item)
    {
        var target = TargetOf(_settings.Target.DownstreamUrl, item.PathAndQuery)
            ?? throw new InvalidOperationException($"Deferred request {item.Id}: {UnsafeTargetError}.");
        var headers = item.Headers.ToList();
        if (!headers.Any(header => header.Key.Equals(DeferredReplays.IdempotencyKeyHeader, StringComparison.OrdinalIgnoreCase)))
        {
            headers.Add(new(DeferredReplays.IdempotencyKeyHeader, item.Id));
        }

        return new RelayRequest(item.Method, target, headers, item.Body, []);
    }
}

/// <summary>Why a replay ended.</summary>
internal static class ReplayStop
{
    /// <summary>No deferred request left.</summary>
    public const string Done = "done";

    /// <summary>The circuit opened again (or was half-open with another request probing).</summary>
    public const string CircuitOpen = "circuit-open";

    /// <summary>An operator isolated the circuit.</summary>
    public const string CircuitIsolated = "circuit-isolated";

    /// <summary>Another replayer holds the next request, or it is gone.</summary>
    public const string HeldElsewhere = "held-elsewhere";

    /// <summary>The invocation's time ran short; a resume event asks for the rest.</summary>
    public const string TimeBudget = "time-budget";

    /// <summary>The circuit table could not be read or written.</summary>
    public const string StoreUnavailable = "store-unavailable";
}

/// <summary>What one replay did.</summary>
/// <param name="ServiceId">The circuit.</param>
internal sealed record ReplaySummary(string ServiceId)
{
    /// <summary>Requests the downstream answered.</summary>
    public int Replayed { get; set; }

    /// <summary>Failed sends.</summary>
    public int Failed { get; set; }

    /// <summary>Requests sent to the dead-letter queue.</summary>
    public int DeadLettered { get; set; }

    /// <summary>Why it ended: one of <see cref="ReplayStop"/>.</summary>
    public string Stopped { get; init; } = ReplayStop.Done;
}
