using System.Text.Json;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Logging;
using CircuitBreaker.Functions.Runtime;
using CircuitBreaker.Functions.Webservice.Downstream;
using CircuitBreaker.Functions.Webservice.Http;

namespace CircuitBreaker.Functions.Webservice.Routing;

/// <summary>
/// The webservice in front of several routes: checks the path once, finds the route by longest prefix, and hands the
/// request to that route's own <see cref="WebserviceHandler"/> (its own gate, circuit memory, settings and downstream).
/// A path that no route serves gets 404, and a path that a server behind the relay could read as another route's
/// (<see cref="PathReadings"/>) gets 400, both without any DynamoDB or downstream call.
/// </summary>
internal sealed class RoutingHandler : IInvocationHandler
{
    private readonly IReadOnlyList<RouteSettings> _routes;
    private readonly IReadOnlyList<WebserviceHandler> _handlers;
    private readonly RouteMatcher _matcher;
    private readonly FunctionLog _log;
    private readonly TimeProvider _time;

    // The guard that runs before matching lets an encoded slash through when any route may take one; the route's own
    // guard then refuses it unless that route allows it.
    private readonly bool _anyRouteAllowsEncodedSlash;

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
        _matcher = new RouteMatcher(routes.Select(route => (route.Prefix, route.IgnoreCase)).ToList());
        _anyRouteAllowsEncodedSlash = routes.Any(route => route.Circuit.Target.AllowEncodedSlash);
        _log = log;
        _time = time;
    }

    /// <inheritdoc />
    public Task<ReadOnlyMemory<byte>> HandleAsync(LambdaInvocation invocation, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var (request, apiRequestId) = HttpApiRequestReader.Read(invocation.Payload);

        // The guard runs before a route is chosen, so that a route only ever relays a path that may be relayed at all.
        var match = _matcher.Match(MatchingPath.Of(request.Path));
        if (RequestPathGuard.Check(request.Path, _anyRouteAllowsEncodedSlash) is { } pathProblem)
        {
            // Refused (400 path-refused) by the route the path was aimed at, which names its circuit, or by none.
            return match is { } aimedAt
                ? _handlers[aimedAt].HandleAsync(invocation, request, apiRequestId, cancellationToken)
                : Answer(invocation, request, apiRequestId, started, PathRefused(pathProblem + " Requests must stay under the service's base path.", invocation.RequestId));
        }

        if (match is not { } index)
        {
            return Answer(invocation, request, apiRequestId, started, (WebserviceResponses.NoRoute(invocation.RequestId), ProblemTypes.NoRoute));
        }

        if (PathReadings.WhyAmbiguous(request.Path, _matcher, index) is { } ambiguity)
        {
            // No route is named: the request belongs to none until it is spelled one way only.
            return Answer(invocation, request, apiRequestId, started, PathRefused(ambiguity, invocation.RequestId));
        }

        var route = _routes[index];
        var routed = route.StripPrefix
            ? request with
            {
                Path = RoutedPath.Strip(request.Path, route.PrefixSegments),
                KeepsTrailingSlash = route.PrefixSegments > 0 && request.Path.EndsWith('/'),
            }
            : request;
        return _handlers[index].HandleAsync(invocation, routed, apiRequestId, cancellationToken);
    }

    // The relay's own refusal of the request, without a service id: no route, so no circuit, is concerned.
    private static (HttpApiResponse Response, string Refused) PathRefused(string detail, string requestId) =>
        (WebserviceResponses.Rejected(new RequestRejection(400, ProblemTypes.PathRefused, "Path refused", detail), serviceId: null, requestId),
            ProblemTypes.PathRefused);

    private Task<ReadOnlyMemory<byte>> Answer(
        LambdaInvocation invocation, DownstreamRequest request, string? apiRequestId, long started, (HttpApiResponse Response, string Refused) answer)
    {
        _log.Info(
            "request handled",
            new LogScope(invocation.RequestId),
            ("apiRequestId", apiRequestId),
            ("method", request.Method),
            ("path", request.Path),
            ("status", answer.Response.StatusCode),
            ("durationMs", _time.GetElapsedTime(started)),
            ("refused", answer.Refused));
        return Task.FromResult<ReadOnlyMemory<byte>>(JsonSerializer.SerializeToUtf8Bytes(answer.Response, HttpJsonContext.Default.HttpApiResponse));
    }
}
