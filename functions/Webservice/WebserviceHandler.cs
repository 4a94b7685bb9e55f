using System.Text.Json;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Logging;
using CircuitBreaker.Functions.Runtime;
using CircuitBreaker.Functions.Webservice.Downstream;
using CircuitBreaker.Functions.Webservice.Http;
using CircuitBreaker.Functions.Webservice.WhenOpen;
using CircuitBreaker.Polly;
using Polly;
using Polly.CircuitBreaker;

namespace CircuitBreaker.Functions.Webservice;

/// <summary>
/// The webservice Lambda for one route: relays each request through the same Polly pipeline a library user builds,
/// <c>AddDistributedCircuitBreaker</c> over the route's circuit, with the downstream call as the callback; the strategy
/// admits the call, watches for a slow one, reports each failure and settles the probe. This handler keeps what is the
/// webservice's own: the invocation's time budget, and the mapping of outcomes to answers in payload format 2.0.
/// </summary>
internal sealed class WebserviceHandler : IInvocationHandler
{
    /// <summary>Below this budget a downstream call could not succeed, so none is started.</summary>
    internal static readonly TimeSpan MinimumCallBudget = TimeSpan.FromMilliseconds(50);

    /// <summary>What is kept back from the deadline for answering once a failure (or a slow call) has been published.</summary>
    internal static readonly TimeSpan AnswerMargin = TimeSpan.FromMilliseconds(250);

    private readonly ResiliencePipeline<DownstreamOutcome> _pipeline;
    private readonly DownstreamClient _downstream;
    private readonly CircuitSettings _settings;
    private readonly TimeProvider _time;
    private readonly FunctionLog _log;
    private readonly IWhenOpenAnswer _whenOpen;

    /// <summary>The handler of the route <paramref name="settings"/> describe, calling <paramref name="downstream"/> through <paramref name="circuit"/>.</summary>
    /// <param name="circuit">The route's circuit (the webservice's: the core's gate over the table, failures on the bus).</param>
    /// <param name="downstream">The route's downstream.</param>
    /// <param name="settings">The route's settings: its key, target (timeout) and policy (what counts as a failure, slow calls, fail-open).</param>
    /// <param name="time">The clock.</param>
    /// <param name="log">Where the request lines go.</param>
    /// <param name="whenOpen">The route's <c>whenOpen</c> mode; null rejects (503).</param>
    public WebserviceHandler(
        IDistributedCircuit circuit, DownstreamClient downstream, CircuitSettings settings, TimeProvider time, FunctionLog log, IWhenOpenAnswer? whenOpen = null)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        _whenOpen = whenOpen ?? RejectWhenOpen.Instance;
        _downstream = downstream;
        _settings = settings;
        _time = time;
        _log = log;
        _pipeline = RoutePipeline.Build(circuit, settings, settings.Policy.FailOpen, time);
    }

    /// <inheritdoc />
    public Task<ReadOnlyMemory<byte>> HandleAsync(LambdaInvocation invocation, CancellationToken cancellationToken)
    {
        var (request, apiRequestId) = HttpApiRequestReader.Read(invocation.Payload);
        return HandleAsync(invocation, request, apiRequestId, cancellationToken);
    }

    /// <summary>Answers a request already read from the invocation (by the route dispatch, with the route's path).</summary>
    internal async Task<ReadOnlyMemory<byte>> HandleAsync(
        LambdaInvocation invocation, DownstreamRequest request, string? apiRequestId, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var metrics = new EmbeddedMetrics(_settings.Policy.MetricsNamespace, _settings.ServiceId);
        var (relay, rejection) = _downstream.Prepare(request);
        var (response, state, downstreamOutcome) = relay is null
            ? (WebserviceResponses.Rejected(rejection!, _settings.ServiceId, invocation.RequestId), WebserviceResponses.UnknownState, null)
            : await RelayAsync(invocation, relay, metrics, cancellationToken).ConfigureAwait(false);
        _log.Info(
            "request handled",
            new LogScope(invocation.RequestId, _settings.ServiceId, state),
            metrics,
            ("apiRequestId", apiRequestId),
            ("method", request.Method),
            ("path", request.Path),
            ("status", response.StatusCode),
            ("durationMs", _time.GetElapsedTime(started)),
            ("refused", rejection?.Type),
            ("downstream", downstreamOutcome?.Kind.ToString()),
            ("downstreamMs", downstreamOutcome?.Elapsed));
        return JsonSerializer.SerializeToUtf8Bytes(response, HttpJsonContext.Default.HttpApiResponse);
    }

    private async Task<(HttpApiResponse Response, string State, DownstreamOutcome? Outcome)> RelayAsync(
        LambdaInvocation invocation, RelayRequest request, EmbeddedMetrics metrics, CancellationToken cancellationToken)
    {
        var requestId = invocation.RequestId;
        var serviceId = _settings.ServiceId;
        if (request.DroppedHeaders.Count > 0)
        {
            // Names only: a value that carries CR/LF is exactly what must not be repeated anywhere.
            _log.Warn(
                "request headers dropped: not writable as one HTTP header (CR, LF, NUL, control or non-ASCII characters, or a bad name)",
                new LogScope(requestId, serviceId),
                ("headers", string.Join(", ", request.DroppedHeaders)));
        }

        // Nothing is worth asking the store for when no call could follow.
        if (CallBudget(invocation) < MinimumCallBudget)
        {
            return (WebserviceResponses.NoTimeLeft(serviceId, requestId), WebserviceResponses.UnknownState, null);
        }

        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            context.Properties.Set(DistributedCircuitBreakerProperties.RequestId, requestId);
            context.Properties.Set(DistributedCircuitBreakerProperties.Deadline, invocation.Deadline - AnswerMargin);
            var outcome = await _pipeline.ExecuteOutcomeAsync(
                static (context, call) => call.Handler.CallAsync(context, call.Invocation, call.Request),
                context,
                (Handler: this, Invocation: invocation, Request: request)).ConfigureAwait(false);
            var admission = context.Properties.GetValue(DistributedCircuitBreakerProperties.Admission, CircuitAdmission.Unavailable(null));
            var state = WebserviceResponses.StateOf(admission);
            if (admission.StateReadThrottled)
            {
                metrics.Count(CircuitMetrics.StateReadsThrottled);
            }

            switch (outcome.Exception)
            {
                case IsolatedCircuitException:
                    metrics.Count(CircuitMetrics.FailedFast);
                    return (await InsteadOfAsync(request, RelayRefusal.CircuitIsolated, WebserviceResponses.CircuitIsolated(serviceId, requestId), invocation, metrics, cancellationToken).ConfigureAwait(false), state, null);
                case BreakerUnavailableException:
                    metrics.Count(CircuitMetrics.FailedFast);
                    return (WebserviceResponses.BreakerUnavailable(serviceId, requestId), state, null);
                case BrokenCircuitException refused:
                    metrics.Count(CircuitMetrics.FailedFast);
                    return (await InsteadOfAsync(request, RelayRefusal.CircuitOpen, WebserviceResponses.CircuitOpen(serviceId, state, refused.RetryAfter, requestId), invocation, metrics, cancellationToken).ConfigureAwait(false), state, null);
                case CallNotMadeException:
                    return (WebserviceResponses.NoTimeLeft(serviceId, requestId), state, null);
            }

            // Anything else thrown is the invocation's own end (its cancellation): the runtime loop deals with it.
            outcome.ThrowIfException();
            var called = outcome.Result!;
            if (admission.Kind == CircuitAdmissionKind.Probe)
            {
                metrics.Count(CircuitMetrics.Probe);
            }

            metrics.Duration(CircuitMetrics.DownstreamLatency, called.Elapsed).Count(OutcomeMetric(called.Kind));
            if (context.Properties.TryGetValue(DistributedCircuitBreakerProperties.ProbeSettlement, out var settled))
            {
                metrics.Count(settled.OpenDuration is null ? CircuitMetrics.CircuitClosed : CircuitMetrics.CircuitOpened);
            }

            if (called.DroppedHeaders is { Count: > 0 } droppedFromResponse)
            {
                _log.Warn(
                    "response headers dropped: not writable as one HTTP header (control or non-ASCII characters)",
                    new LogScope(requestId, serviceId),
                    ("headers", string.Join(", ", droppedFromResponse)));
            }

            HttpApiResponse response;
            if (called.IsFailure)
            {
                var failed = called.Kind == DownstreamOutcomeKind.Answered
                    ? WebserviceResponses.Relay(called)
                    : WebserviceResponses.DownstreamFailed(serviceId, called, state, requestId);
                response = await InsteadOfAsync(request, RelayRefusal.CallFailed, failed, invocation, metrics, cancellationToken).ConfigureAwait(false);
            }
            else if (called.Kind == DownstreamOutcomeKind.Answered)
            {
                await _whenOpen.RelayedAsync(request, called, new WhenOpenContext(invocation, serviceId, metrics, null), cancellationToken).ConfigureAwait(false);
                response = WebserviceResponses.Relay(called);
            }
            else
            {
                response = WebserviceResponses.DownstreamFailed(serviceId, called, state, requestId);
            }

            return (response, state, called);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    // The route's whenOpen mode may answer instead of the webservice's own refusal.
    private async ValueTask<HttpApiResponse> InsteadOfAsync(
        RelayRequest request, RelayRefusal refusal, HttpApiResponse refused, LambdaInvocation invocation, EmbeddedMetrics metrics, CancellationToken cancellationToken) =>
        await _whenOpen.InsteadOfAsync(request, refusal, new WhenOpenContext(invocation, _settings.ServiceId, metrics, refused), cancellationToken).ConfigureAwait(false)
        ?? refused;

    // The pipeline's callback: the downstream call, with what is left of the invocation's time once admitted.
    private async ValueTask<Outcome<DownstreamOutcome>> CallAsync(ResilienceContext context, LambdaInvocation invocation, RelayRequest request)
    {
        // Measured again now: admission may have taken a stalled store's second or more, and that time is the call's,
        // never the answer's reserve (the call ends by the deadline less the reserve, whatever admission cost).
        var budget = CallBudget(invocation);
        if (budget < MinimumCallBudget)
        {
            var admission = context.Properties.GetValue(DistributedCircuitBreakerProperties.Admission, CircuitAdmission.Unavailable(null));
            _log.Warn(
                "no time left to call the downstream after admission",
                new LogScope(invocation.RequestId, _settings.ServiceId, WebserviceResponses.StateOf(admission)),
                ("remainingMs", invocation.RemainingTime(_time)));

            // A call that cannot run says nothing about the downstream: a probe is released for the next request at once.
            return Outcome.FromException<DownstreamOutcome>(new CallNotMadeException("Too little invocation time was left to call the downstream."));
        }

        return Outcome.FromResult(await _downstream.CallAsync(request, budget, _settings.Policy.FailureStatusCodes, context.CancellationToken).ConfigureAwait(false));
    }

    // The downstream's timeout, and never more than the invocation's time left less the reserve for answering.
    private TimeSpan CallBudget(LambdaInvocation invocation)
    {
        var left = invocation.RemainingTime(_time) - CircuitSettings.ResponseReserve;
        return _settings.Target.DownstreamTimeout < left ? _settings.Target.DownstreamTimeout : left;
    }

    // A body too large to relay reaches the client as a 502 like a failed call, so it is counted with them.
    private static string OutcomeMetric(DownstreamOutcomeKind kind) => kind switch
    {
        DownstreamOutcomeKind.Answered => CircuitMetrics.Relayed,
        DownstreamOutcomeKind.TimedOut => CircuitMetrics.DownstreamTimeout,
        _ => CircuitMetrics.DownstreamError,
    };
}
