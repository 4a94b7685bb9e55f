using System.Text.Json;
using CircuitBreaker.Contract;
using CircuitBreaker.Functions.Downstream;
using CircuitBreaker.Functions.Handlers;
using CircuitBreaker.Functions.Http;
using CircuitBreaker.Core.Logging;
using CircuitBreaker.Functions.Runtime;

namespace CircuitBreaker.Functions.Routing;

/// <summary>
/// The webservice in front of several routes: checks the path once, finds the route by longest prefix, and hands the
/// request to that route's own <see cref="WebserviceHandler"/> (its own gate, circuit memory, settings and downstream).
/// A path that no route serves gets 404 without any DynamoDB or downstream call.
/// </summary>
internal sealed class RoutingHandler : IInvocationHandler
{
    private readonly IReadOnlyList<RouteSettings> _routes;
    private readonly IReadOnlyList<WebserviceHandler> _handlers;
    private readonly RouteMatcher _matcher;
    private readonly FunctionLog _log;
    private readonly TimeProvider _time;

    /// <summary>Serves <paramref name="routes"/>, each through the handler at the same index of <paramref name="handlers"/>.</summary>
    public RoutingHandler(IReadOnlyList<RouteSettings> routes, IReadOnlyList<WebserviceHandler> handlers, FunctionLog log, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(routes);
        ArgumentNullException.ThrowIfNull(handlers);
        if (routes.Count != handlers.Count || routes.Count == 0)
        {
            throw new ArgumentException("Every route needs exactly one handler, and there must be at least one route.", nameof(handlers));
        }

        _routes = routes;
        _handlers = handlers;
        _matcher = new RouteMatcher(routes.Select(route => route.Prefix).ToList());
        _log = log;
        _time = time;
    }

    /// <inheritdoc />
    public Task<ReadOnlyMemory<byte>> HandleAsync(LambdaInvocation invocation, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var (request, apiRequestId) = HttpApiRequestReader.Read(invocation.Payload);

        // The guard runs before matching, so that a route is only ever chosen for a path that may be relayed at all.
        if (RequestPathGuard.Check(request.Path) is not null)
        {
            // The first route's handler refuses it exactly as a one-route webservice always did (400 path-refused).
            return _handlers[0].HandleAsync(invocation, request, apiRequestId, cancellationToken);
        }

        if (_matcher.Match(MatchingPath.Of(request.Path)) is not { } index)
        {
            var response = WebserviceResponses.NoRoute(invocation.RequestId);
            _log.Info(
                "request handled",
                new LogScope(invocation.RequestId),
                ("apiRequestId", apiRequestId),
                ("method", request.Method),
                ("path", request.Path),
                ("status", response.StatusCode),
                ("durationMs", _time.GetElapsedTime(started)),
                ("refused", ProblemTypes.NoRoute));
            return Task.FromResult<ReadOnlyMemory<byte>>(JsonSerializer.SerializeToUtf8Bytes(response, HttpJsonContext.Default.HttpApiResponse));
        }

        var route = _routes[index];
        var routed = route.StripPrefix ? request with { Path = RoutedPath.Strip(request.Path, route.PrefixSegments) } : request;
        return _handlers[index].HandleAsync(invocation, routed, apiRequestId, cancellationToken);
    }
}
