using CircuitBreaker.Core.Logging;
using CircuitBreaker.Functions.Runtime;
using CircuitBreaker.Functions.Webservice.Downstream;
using CircuitBreaker.Functions.Webservice.Http;

namespace CircuitBreaker.Functions.Webservice.WhenOpen;

/// <summary>
/// A route's <c>whenOpen</c> mode as the webservice uses it: it sees every answer the route relays (so that it can keep
/// what it may answer later) and may answer instead of the webservice's own refusal.
/// </summary>
internal interface IWhenOpenAnswer
{
    /// <summary>Called after the downstream answered and the answer counted as a success, before it is relayed.</summary>
    /// <param name="request">What the client sent, as relayed.</param>
    /// <param name="answered">The downstream's answer.</param>
    /// <param name="context">The invocation and its metrics.</param>
    /// <param name="cancellationToken">The invocation's end.</param>
    ValueTask RelayedAsync(RelayRequest request, DownstreamOutcome answered, WhenOpenContext context, CancellationToken cancellationToken);

    /// <summary>
    /// An answer instead of <paramref name="refusal"/>'s; null keeps the webservice's own (<paramref name="context"/>'s
    /// <see cref="WhenOpenContext.Refusal"/> says which it is).
    /// </summary>
    /// <param name="request">What the client sent, as it would have been relayed.</param>
    /// <param name="refusal">Why the downstream's answer cannot be relayed.</param>
    /// <param name="context">The invocation, its metrics and the answer the webservice would give.</param>
    /// <param name="cancellationToken">The invocation's end.</param>
    ValueTask<HttpApiResponse?> InsteadOfAsync(RelayRequest request, RelayRefusal refusal, WhenOpenContext context, CancellationToken cancellationToken);
}

/// <summary>Why a request's downstream answer cannot be relayed.</summary>
internal enum RelayRefusal
{
    /// <summary>The circuit is open, or half-open with another request probing: no call was made.</summary>
    CircuitOpen,

    /// <summary>An operator isolated the circuit: no call was made.</summary>
    CircuitIsolated,

    /// <summary>The call was made and failed (a timeout, a connection error, a status the route counts as a failure).</summary>
    CallFailed,
}

/// <summary>What a <see cref="IWhenOpenAnswer"/> is told besides the request.</summary>
/// <param name="Invocation">The Lambda invocation (its request id and deadline).</param>
/// <param name="ServiceId">The route's circuit.</param>
/// <param name="Metrics">The request's EMF metrics, to count what the mode did.</param>
/// <param name="Refusal">The answer the webservice gives when the mode gives none (null on a relayed answer).</param>
internal sealed record WhenOpenContext(LambdaInvocation Invocation, string ServiceId, EmbeddedMetrics Metrics, HttpApiResponse? Refusal);

/// <summary>The <c>reject</c> mode: nothing kept, the webservice's own refusal (503, or the failed call's 502/504) answered.</summary>
internal sealed class RejectWhenOpen : IWhenOpenAnswer
{
    /// <summary>The one instance: it holds nothing.</summary>
    public static RejectWhenOpen Instance { get; } = new();

    private RejectWhenOpen()
    {
    }

    /// <inheritdoc />
    public ValueTask RelayedAsync(RelayRequest request, DownstreamOutcome answered, WhenOpenContext context, CancellationToken cancellationToken) =>
        ValueTask.CompletedTask;

    /// <inheritdoc />
    public ValueTask<HttpApiResponse?> InsteadOfAsync(RelayRequest request, RelayRefusal refusal, WhenOpenContext context, CancellationToken cancellationToken) =>
        ValueTask.FromResult<HttpApiResponse?>(null);
}
