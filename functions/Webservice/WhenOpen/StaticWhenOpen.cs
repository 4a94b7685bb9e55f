using CircuitBreaker.Contract;
using CircuitBreaker.Functions.Webservice.Downstream;
using CircuitBreaker.Functions.Webservice.Http;

namespace CircuitBreaker.Functions.Webservice.WhenOpen;

/// <summary>
/// The <c>static</c> mode: while the circuit is open or isolated, the route's configured status, content type and body
/// (<c>staticStatus</c>, <c>staticContentType</c>, <c>staticBody</c>) instead of the 503 problem, with the refusal's
/// <c>Retry-After</c> when it has one and <c>Cache-Control: no-store</c> (it describes the moment, not the resource).
/// A failed call is answered as without the mode: the downstream was reached, and its failure is the news.
/// </summary>
internal sealed class StaticWhenOpen : IWhenOpenAnswer
{
    private readonly int _status;
    private readonly string _contentType;
    private readonly string _body;

    /// <summary>The mode for a route with <paramref name="options"/>.</summary>
    public StaticWhenOpen(RouteOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _status = options.StaticStatus;
        _contentType = options.StaticContentType;
        _body = options.StaticBody;
    }

    /// <inheritdoc />
    public ValueTask RelayedAsync(RelayRequest request, DownstreamOutcome answered, WhenOpenContext context, CancellationToken cancellationToken) =>
        ValueTask.CompletedTask;

    /// <inheritdoc />
    public ValueTask<HttpApiResponse?> InsteadOfAsync(RelayRequest request, RelayRefusal refusal, WhenOpenContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        if (refusal == RelayRefusal.CallFailed)
        {
            return ValueTask.FromResult<HttpApiResponse?>(null);
        }

        var headers = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["content-type"] = _contentType,
            ["cache-control"] = "no-store",
        };
        if (context.Refusal?.Headers?.GetValueOrDefault("retry-after") is { } retryAfter)
        {
            headers["retry-after"] = retryAfter;
        }

        context.Metrics.Count(CircuitMetrics.StaticServed);
        return ValueTask.FromResult<HttpApiResponse?>(new HttpApiResponse
        {
            StatusCode = _status,
            Headers = headers,
            Body = request.IsHead ? string.Empty : _body,
        });
    }
}
