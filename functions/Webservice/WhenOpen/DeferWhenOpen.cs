using CircuitBreaker.Contract;
using CircuitBreaker.Core.Logging;
using CircuitBreaker.Aws.DynamoDb;
using CircuitBreaker.Core.Store;
using CircuitBreaker.Functions.Webservice.Downstream;
using CircuitBreaker.Functions.Webservice.Http;

namespace CircuitBreaker.Functions.Webservice.WhenOpen;

/// <summary>
/// The <c>defer</c> mode: a request whose method the route defers, refused because the circuit is open (or half-open
/// with another request probing, or isolated), is stored as it would have been relayed and answered 202 with its id;
/// the replayer sends it once the circuit closes. A failed call is never deferred: it may have reached the downstream,
/// and only the client can tell whether to send it again. A request that cannot be stored (too large, a store fault)
/// gets the webservice's own answer: never a 202 for something not stored.
/// </summary>
internal sealed class DeferWhenOpen : IWhenOpenAnswer
{
    private readonly DeferredRequestStore _store;
    private readonly DeferOptions _options;
    private readonly TimeProvider _time;
    private readonly FunctionLog _log;

    /// <summary>The mode for a route with <paramref name="options"/>, storing in <paramref name="store"/>.</summary>
    public DeferWhenOpen(DeferredRequestStore store, DeferOptions options, TimeProvider time, FunctionLog log)
    {
        _store = store;
        _options = options;
        _time = time;
        _log = log;
    }

    /// <inheritdoc />
    public ValueTask RelayedAsync(RelayRequest request, DownstreamOutcome answered, WhenOpenContext context, CancellationToken cancellationToken) =>
        ValueTask.CompletedTask;

    /// <inheritdoc />
    public async ValueTask<HttpApiResponse?> InsteadOfAsync(
        RelayRequest request, RelayRefusal refusal, WhenOpenContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        if (refusal == RelayRefusal.CallFailed || !_options.Defers(request.Method))
        {
            return null;
        }

        var scope = new LogScope(context.Invocation.RequestId, context.ServiceId);
        var now = _time.GetUtcNow();
        var id = DeferredRequestStore.NewId(now);
        var deferred = new DeferredRequest(
            context.ServiceId, id, now, request.Method, PathAndQuery(request.Target), request.Headers, request.Body, now + _options.Retention);
        var headerBytes = deferred.ApproximateItemBytes - (request.Body?.Length ?? 0);
        if ((request.Body?.Length ?? 0) > _options.MaxBodyBytes || headerBytes > DeferLimits.MaxHeaderBytes)
        {
            context.Metrics.Count(CircuitMetrics.DeferFailed);
            _log.Warn(
                "request not deferred: too large to store",
                scope,
                ("bodyBytes", request.Body?.Length ?? 0),
                ("deferMaxBodyBytes", _options.MaxBodyBytes),
                ("headerBytes", headerBytes));
            return null;
        }

        try
        {
            await _store.StoreAsync(deferred, cancellationToken).ConfigureAwait(false);
        }
        catch (CircuitStoreUnavailableException e)
        {
            context.Metrics.Count(CircuitMetrics.DeferFailed);
            _log.Warn("request not deferred: the store failed", scope, ("error", e.Message));
            return null;
        }

        context.Metrics.Count(CircuitMetrics.Deferred);
        _log.Info("request deferred", scope, ("deferredId", id), ("method", request.Method));
        var state = refusal == RelayRefusal.CircuitIsolated ? CircuitStateNames.Isolated : CircuitStateNames.Open;
        return WebserviceResponses.Deferred(context.ServiceId, state, id, context.Invocation.RequestId);
    }

    /// <summary>The path and query exactly as they go on the request line, without the downstream's origin.</summary>
    internal static string PathAndQuery(Uri target)
    {
        ArgumentNullException.ThrowIfNull(target);
        var origin = target.GetLeftPart(UriPartial.Authority);
        return target.OriginalString.StartsWith(origin, StringComparison.Ordinal) ? target.OriginalString[origin.Length..] : target.PathAndQuery;
    }
}
