using System.Globalization;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Logging;
using CircuitBreaker.Core.Store;
using CircuitBreaker.Functions.Webservice.Downstream;
using CircuitBreaker.Functions.Webservice.Http;

namespace CircuitBreaker.Functions.Webservice.WhenOpen;

/// <summary>
/// The <c>stale</c> mode: every successful GET answer the rules let a shared cache keep (<see cref="SharedCacheRules"/>)
/// is stored in the circuit table, at most once per <c>staleRefreshSeconds</c> per key by this instance; when the circuit
/// refuses a GET or HEAD (open, isolated) or its call fails, the stored answer to the same request is served with
/// <c>Age</c> and <see cref="SharedCacheRules.StaleHeader"/>, for at most <c>staleSeconds</c> after it was stored.
/// Without one, the webservice's own answer stands. A fault of the table is logged and never fails the request.
/// </summary>
internal sealed class StaleWhenOpen : IWhenOpenAnswer
{
    private readonly IStaleAnswerStore _store;
    private readonly TimeSpan _staleFor;
    private readonly TimeProvider _time;
    private readonly FunctionLog _log;
    private readonly StaleRefreshMemory _refresh;

    /// <summary>The mode for a route with <paramref name="options"/>, keeping answers in <paramref name="store"/>.</summary>
    public StaleWhenOpen(IStaleAnswerStore store, RouteOptions options, TimeProvider time, FunctionLog log)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _staleFor = options.StaleFor;
        _time = time;
        _log = log;
        _refresh = new StaleRefreshMemory(options.StaleRefresh);
    }

    /// <inheritdoc />
    public async ValueTask RelayedAsync(RelayRequest request, DownstreamOutcome answered, WhenOpenContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(answered);
        ArgumentNullException.ThrowIfNull(context);
        var key = SharedCacheRules.RequestKey(request);
        if (SharedCacheRules.IsUnsafe(request.Method))
        {
            if (answered.StatusCode is >= 200 and < 400)
            {
                await InvalidateAsync(key, context, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        if (SharedCacheRules.WhyNotStored(request, answered) is not null)
        {
            return;
        }

        var now = _time.GetUtcNow();
        if (!_refresh.TryClaim(key, now))
        {
            return;
        }

        var headers = (answered.Headers ?? new Dictionary<string, string>()).ToList();
        var vary = SharedCacheRules.VaryNames(SharedCacheRules.Header(headers, "vary")) ?? [];
        var answer = new StoredAnswer(
            context.ServiceId,
            key,
            SharedCacheRules.VariedHeaders(request, vary),
            now,
            now + _staleFor,
            answered.StatusCode!.Value,
            headers,
            answered.Body);
        try
        {
            if (await _store.StoreAsync(answer, cancellationToken).ConfigureAwait(false))
            {
                context.Metrics.Count(CircuitMetrics.StaleStored);
            }
        }
        catch (CircuitStoreUnavailableException e)
        {
            _log.Warn("answer not stored for stale: the table failed", new LogScope(context.Invocation.RequestId, context.ServiceId), ("error", e.Message));
        }
    }

    /// <inheritdoc />
    public async ValueTask<HttpApiResponse?> InsteadOfAsync(RelayRequest request, RelayRefusal refusal, WhenOpenContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        if (!SharedCacheRules.IsServedMethod(request.Method))
        {
            return null;
        }

        StoredAnswer? stored;
        try
        {
            stored = await _store.FindAsync(context.ServiceId, SharedCacheRules.RequestKey(request), cancellationToken).ConfigureAwait(false);
        }
        catch (CircuitStoreUnavailableException e)
        {
            _log.Warn("no stale answer: the table failed", new LogScope(context.Invocation.RequestId, context.ServiceId), ("error", e.Message));
            return null;
        }

        if (stored is null)
        {
            return null;
        }

        // The stored time and the route's staleSeconds decide, never the TTL: DynamoDB deletes expired items only
        // eventually. An answer stored "in the future" (by an instance whose clock is ahead) is not trusted either.
        var sinceStored = _time.GetUtcNow() - stored.StoredAt;
        if (sinceStored < TimeSpan.Zero || sinceStored > _staleFor)
        {
            return null;
        }

        var age = SharedCacheRules.AgeOf(stored.Headers) + sinceStored;
        if (SharedCacheRules.WhyNotServed(request, stored.Headers, stored.VariedHeaders, age) is not null)
        {
            return null;
        }

        context.Metrics.Count(CircuitMetrics.StaleServed);
        return Answer(stored, request.IsHead, age, refusal);
    }

    // The stored answer as the relay would have given it, with Age (RFC 9111 §5.1) and the stale marker.
    private static HttpApiResponse Answer(StoredAnswer stored, bool isHead, TimeSpan age, RelayRefusal refusal)
    {
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in stored.Headers)
        {
            headers[name] = value;
        }

        headers["age"] = ((long)age.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        headers[SharedCacheRules.StaleHeader] = SharedCacheRules.StaleReason(refusal);
        if (isHead)
        {
            // What a GET would have carried, without the body (RFC 9110 §9.3.2).
            headers["content-length"] = stored.Body.Length.ToString(CultureInfo.InvariantCulture);
        }

        return WebserviceResponses.Relay(new DownstreamOutcome(
            DownstreamOutcomeKind.Answered, TimeSpan.Zero, stored.StatusCode, headers, Body: isHead ? ReadOnlyMemory<byte>.Empty : stored.Body));
    }

    private async Task InvalidateAsync(string key, WhenOpenContext context, CancellationToken cancellationToken)
    {
        _refresh.Forget(key);
        try
        {
            await _store.InvalidateAsync(context.ServiceId, key, cancellationToken).ConfigureAwait(false);
        }
        catch (CircuitStoreUnavailableException e)
        {
            _log.Warn("stale answer not invalidated: the table failed", new LogScope(context.Invocation.RequestId, context.ServiceId), ("error", e.Message));
        }
    }
}
