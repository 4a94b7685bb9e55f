using System.Text.Json;
using CircuitBreaker.Contract;
using CircuitBreaker.Functions.Breaker;
using CircuitBreaker.Functions.Downstream;
using CircuitBreaker.Functions.Events;
using CircuitBreaker.Functions.Http;
using CircuitBreaker.Functions.Logging;
using CircuitBreaker.Functions.Runtime;

namespace CircuitBreaker.Functions.Handlers;

/// <summary>
/// The webservice Lambda: asks the gate, calls the downstream when admitted, publishes each failure,
/// settles a probe, and answers in payload format 2.0. With <paramref name="slowCalls"/>, a call is published as
/// failed once it is slow; with <paramref name="successes"/>, calls that did not fail are counted for ratio mode.
/// </summary>
internal sealed class WebserviceHandler(
    CircuitGate gate,
    DownstreamClient downstream,
    IFailurePublisher publisher,
    CircuitSettings settings,
    TimeProvider time,
    FunctionLog log,
    SlowCallWatch? slowCalls = null,
    SuccessCounter? successes = null) : IInvocationHandler
{
    /// <summary>Below this budget a downstream call could not succeed, so none is started.</summary>
    internal static readonly TimeSpan MinimumCallBudget = TimeSpan.FromMilliseconds(50);

    /// <summary>What is kept back from the deadline for answering once a failure has been published.</summary>
    internal static readonly TimeSpan AnswerMargin = TimeSpan.FromMilliseconds(250);

    /// <inheritdoc />
    public async Task<ReadOnlyMemory<byte>> HandleAsync(LambdaInvocation invocation, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var (request, apiRequestId) = HttpApiRequestReader.Read(invocation.Payload);
        var (response, state, downstreamOutcome) = await DecideAsync(invocation, request, cancellationToken).ConfigureAwait(false);
        log.Info(
            "request handled",
            new LogScope(invocation.RequestId, settings.ServiceId, state.Name()),
            ("apiRequestId", apiRequestId),
            ("method", request.Method),
            ("path", request.Path),
            ("status", response.StatusCode),
            ("durationMs", time.GetElapsedTime(started)),
            ("downstream", downstreamOutcome?.Kind.ToString()),
            ("downstreamMs", downstreamOutcome?.Elapsed));
        return JsonSerializer.SerializeToUtf8Bytes(response, HttpJsonContext.Default.HttpApiResponse);
    }

    private async Task<(HttpApiResponse Response, CircuitView State, DownstreamOutcome? Outcome)> DecideAsync(
        LambdaInvocation invocation, DownstreamRequest request, CancellationToken cancellationToken)
    {
        var requestId = invocation.RequestId;
        var budget = invocation.RemainingTime(time) - CircuitSettings.ResponseReserve;
        if (budget > settings.DownstreamTimeout)
        {
            budget = settings.DownstreamTimeout;
        }

        if (budget < MinimumCallBudget)
        {
            return (WebserviceResponses.NoTimeLeft(settings.ServiceId, requestId), CircuitView.Unknown, null);
        }

        var admission = await gate.AdmitAsync(requestId, cancellationToken).ConfigureAwait(false);
        switch (admission.Kind)
        {
            case AdmissionKind.Reject:
                return (WebserviceResponses.CircuitOpen(settings.ServiceId, admission, time.GetUtcNow(), requestId), admission.State, null);
            case AdmissionKind.RejectWithoutBreaker:
                return (WebserviceResponses.BreakerUnavailable(settings.ServiceId, requestId), admission.State, null);
        }

        // The success count's flush runs beside the call, so it costs the answer nothing unless the call is quicker.
        var flush = successes?.FlushIfDueAsync(requestId, cancellationToken) ?? Task.CompletedTask;
        var watched = slowCalls?.Watch(invocation, admission.State, cancellationToken) ?? WatchedCall.Unwatched;
        var outcome = await downstream.CallAsync(request, budget, cancellationToken).ConfigureAwait(false);
        var publishedAsSlow = await watched.EndAsync().ConfigureAwait(false);
        if (outcome.IsFailure && !publishedAsSlow)
        {
            await PublishFailureAsync(invocation, outcome, admission.State, cancellationToken).ConfigureAwait(false);
        }
        else if (!outcome.IsFailure && !publishedAsSlow)
        {
            successes?.CountSuccess();
        }

        if (admission.Kind == AdmissionKind.Probe)
        {
            await gate.SettleProbeAsync(requestId, succeeded: !outcome.IsFailure, cancellationToken).ConfigureAwait(false);
        }

        var response = outcome.Kind == DownstreamOutcomeKind.Answered
            ? WebserviceResponses.Relay(outcome)
            : WebserviceResponses.DownstreamFailed(settings.ServiceId, outcome, admission.State, requestId);
        await flush.ConfigureAwait(false);
        return (response, admission.State, outcome);
    }

    private async Task PublishFailureAsync(LambdaInvocation invocation, DownstreamOutcome outcome, CircuitView state, CancellationToken cancellationToken)
    {
        var failure = new FailureEventDetail(
            settings.ServiceId,
            time.GetUtcNow().ToUnixTimeMilliseconds(),
            outcome.Kind switch
            {
                DownstreamOutcomeKind.TimedOut => FailureReasons.Timeout,
                DownstreamOutcomeKind.ServerError => FailureReasons.ServerError,
                _ => FailureReasons.ConnectionError,
            },
            outcome.StatusCode,
            invocation.RequestId,
            Math.Round(outcome.Elapsed.TotalMilliseconds, 1));

        // Publishing may use what is left of the invocation, less the time to answer; never more.
        using var deadline = new CancellationTokenSource(Max(invocation.RemainingTime(time) - AnswerMargin, TimeSpan.Zero), time);
        using var publishBudget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var published = await publisher.PublishAsync(failure, publishBudget.Token).ConfigureAwait(false);
        if (!published)
        {
            log.Error(
                "failure event not published: this failure will not count towards opening the circuit",
                new LogScope(invocation.RequestId, settings.ServiceId, state.Name()),
                ("reason", failure.Reason));
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
