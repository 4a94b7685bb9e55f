using System.Globalization;
using System.Runtime.ExceptionServices;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Breaker;
using Polly;
using Polly.CircuitBreaker;
using Polly.Telemetry;

namespace CircuitBreaker.Polly.Strategy;

/// <summary>
/// Runs one call through the shared circuit: asks it for admission, fails fast with Polly's exceptions when
/// refused, otherwise runs the call, reports a failure (or a slow call, once, while it still runs) as the options
/// describe it, counts the call, and settles the probe when this call was it, or releases it when the call ended
/// without an outcome. The one orchestrator of a call: the webservice runs its downstream calls through it too.
/// </summary>
internal sealed class DistributedCircuitBreakerResilienceStrategy<TResult> : ResilienceStrategy<TResult>
{
    /// <summary>Telemetry event of a backend fault the strategy survived.</summary>
    internal const string FaultEvent = "OnDistributedCircuitFault";

    /// <summary>Telemetry event of a failure that could not be reported, so it will not count.</summary>
    internal const string FailureLostEvent = "OnDistributedCircuitFailureLost";

    private readonly IDistributedCircuit _circuit;
    private readonly Func<CircuitBreakerPredicateArguments<TResult>, ValueTask<bool>> _shouldHandle;
    private readonly Func<Outcome<TResult>, CircuitFailure> _describeFailure;
    private readonly CircuitObserver<TResult> _observer;
    private readonly TimeProvider _time;
    private readonly ResilienceStrategyTelemetry _telemetry;
    private readonly TimeSpan? _slowCallThreshold;
    private readonly bool _failOpen;
    private readonly string _isolatedMessage;

    // Call ids are unique across instances (a random prefix per strategy) and cheap to make (a counter).
    private readonly string _callIdPrefix = Guid.NewGuid().ToString("N")[..12];
    private long _callSequence;

    public DistributedCircuitBreakerResilienceStrategy(
        IDistributedCircuit circuit,
        DistributedCircuitBreakerStrategyOptions<TResult> options,
        TimeProvider time,
        ResilienceStrategyTelemetry telemetry)
    {
        _circuit = circuit;
        _shouldHandle = options.ShouldHandle;
        _describeFailure = options.DescribeFailure ?? (outcome => CircuitFailure.Of(outcome, time.GetUtcNow()));
        _observer = new CircuitObserver<TResult>(options.OnOpened, options.OnClosed, options.OnHalfOpened, telemetry);
        _time = time;
        _telemetry = telemetry;
        _slowCallThreshold = options.SlowCallThreshold;
        _failOpen = options.FailOpen;
        _isolatedMessage = $"The circuit '{circuit.ServiceId}' is isolated: an operator holds it open until it is released.";
    }

    /// <inheritdoc />
    protected override async ValueTask<Outcome<TResult>> ExecuteCore<TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback,
        ResilienceContext context,
        TState state)
    {
        var captured = context.ContinueOnCapturedContext;
        var callId = context.Properties.TryGetValue(DistributedCircuitBreakerProperties.RequestId, out var requestId) && !string.IsNullOrEmpty(requestId)
            ? requestId
            : NewCallId();

        CircuitAdmission admission;
        try
        {
            admission = await _circuit.AdmitAsync(callId, context.CancellationToken).ConfigureAwait(captured);
        }
        catch (OperationCanceledException cancelled) when (context.CancellationToken.IsCancellationRequested)
        {
            return Outcome.FromException<TResult>(cancelled);
        }
        catch (Exception fault)
        {
            admission = CircuitAdmission.Unavailable(fault);
        }

        context.Properties.Set(DistributedCircuitBreakerProperties.Admission, admission);
        switch (admission.Kind)
        {
            case CircuitAdmissionKind.Reject:
                return await RejectAsync(context, admission).ConfigureAwait(captured);
            case CircuitAdmissionKind.Isolated:
                return await RejectIsolatedAsync(context).ConfigureAwait(captured);
            case CircuitAdmissionKind.Unavailable:
                ReportFault(context, "admit", admission.Fault);
                if (!_failOpen)
                {
                    const string Refused = "could not be consulted and FailOpen is false, so the call was refused.";
                    return Refuse(admission.Fault is { } fault
                        ? new BreakerUnavailableException($"The circuit '{_circuit.ServiceId}' {Refused}", fault)
                        : new BreakerUnavailableException($"The circuit '{_circuit.ServiceId}' {Refused}"));
                }

                break;
        }

        var isProbe = admission.Kind == CircuitAdmissionKind.Probe;

        // A probe must end settled or released, whatever happens on the way (a cancelled caller, a throwing ShouldHandle
        // or callback, a call not made): a probe left holding its lease refuses every caller in every instance until the
        // lease lapses.
        var probeDone = !isProbe;
        try
        {
            CircuitState? closedAfter = null;
            if (admission.Kind == CircuitAdmissionKind.Call)
            {
                closedAfter = _observer.See(CircuitState.Closed);
            }
            else if (isProbe && _observer.See(CircuitState.HalfOpen) is not null)
            {
                await _observer.HalfOpenedAsync(context).ConfigureAwait(captured);
            }

            var started = _time.GetTimestamp();

            // Without a threshold nothing is allocated for watching: the closed circuit's path stays lean.
            var watch = _slowCallThreshold is { } threshold ? WatchForSlowness(threshold, context, callId, started) : WatchedCall.Unwatched;

            Outcome<TResult> outcome;
            try
            {
                outcome = await callback(context, state).ConfigureAwait(captured);
            }
            catch (Exception exception)
            {
                outcome = Outcome.FromException<TResult>(exception);
            }

            var wasSlow = await watch.EndAsync().ConfigureAwait(captured);
            if (outcome.Exception is CallNotMadeException)
            {
                // Neither a success nor a failure: nothing is counted, and a probe is released (below) for the next caller.
                return outcome;
            }

            var (handled, predicateFault) = await JudgeAsync(context, outcome).ConfigureAwait(captured);
            var failure = handled ? Describe(outcome) : default;
            if (handled && !wasSlow)
            {
                await ReportFailureAsync(context, callId, failure, _time.GetElapsedTime(started)).ConfigureAwait(captured);
            }

            var failed = handled || wasSlow;
            if (admission.Kind != CircuitAdmissionKind.Unavailable)
            {
                await ReportCallAsync(context, failed).ConfigureAwait(captured);
            }

            if (isProbe)
            {
                probeDone = await SettleProbeAsync(context, callId, outcome, succeeded: !failed, failure.RetryAfter).ConfigureAwait(captured);
            }
            else if (closedAfter is { } before)
            {
                await _observer.ClosedAsync(context, outcome, isManual: before == CircuitState.Isolated).ConfigureAwait(captured);
            }

            // The call was counted as the failure it is taken for; the caller gets the predicate's own exception.
            predicateFault?.Throw();
            return outcome;
        }
        finally
        {
            if (!probeDone)
            {
                await ReleaseProbeAsync(context, callId).ConfigureAwait(captured);
            }
        }
    }

    // ShouldHandle is the caller's code: when it throws, the call is taken as failed (the outcome could not be judged
    // good) and the exception is rethrown once the call has been reported, so nothing the breaker owes is skipped.
    private async ValueTask<(bool Handled, ExceptionDispatchInfo? Fault)> JudgeAsync(ResilienceContext context, Outcome<TResult> outcome)
    {
        try
        {
            return (await _shouldHandle(new CircuitBreakerPredicateArguments<TResult>(context, outcome)).ConfigureAwait(context.ContinueOnCapturedContext), null);
        }
        catch (Exception fault)
        {
            return (true, ExceptionDispatchInfo.Capture(fault));
        }
    }

    // DescribeFailure is the caller's code too: a description that throws, or names a reason the recorder would refuse,
    // still reports the failure, with the generic reason.
    private CircuitFailure Describe(Outcome<TResult> outcome)
    {
        try
        {
            var failure = _describeFailure(outcome);
            return FailureReasons.IsKnown(failure.Reason) ? failure : failure with { Reason = FailureReasons.Exception };
        }
        catch (Exception)
        {
            return new CircuitFailure(FailureReasons.Exception);
        }
    }

    // Never throws, and never uses the caller's token: when the caller cancelled, that token is the cancelled one.
    private async ValueTask ReleaseProbeAsync(ResilienceContext context, string callId)
    {
        try
        {
            await _circuit.ReleaseProbeAsync(callId, CancellationToken.None).ConfigureAwait(context.ContinueOnCapturedContext);
        }
        catch (Exception fault)
        {
            // The lease lapses by itself: the next caller probes after ProbeLease.
            ReportFault(context, "release-probe", fault);
        }
    }

    private string NewCallId() =>
        string.Create(CultureInfo.InvariantCulture, $"{_callIdPrefix}-{Interlocked.Increment(ref _callSequence)}");

    // A method of its own, so that the closure is only allocated when slow calls are watched. A slow report that was
    // lost says so, and the call's end then reports the call's own failure, if it fails. A cancelled caller's call is
    // never reported afterwards (a Lambda invocation that ended runs nothing more).
    private WatchedCall WatchForSlowness(TimeSpan threshold, ResilienceContext context, string callId, long started) =>
        new(
            _time,
            threshold,
            async () => await ReportFailureAsync(context, callId, new CircuitFailure(FailureReasons.Slow), _time.GetElapsedTime(started)).ConfigureAwait(false),
            context.CancellationToken);

    private async ValueTask<Outcome<TResult>> RejectAsync(ResilienceContext context, CircuitAdmission admission)
    {
        var retryAfter = admission.RetryAfter ?? TimeSpan.Zero;
        var seconds = retryAfter.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
        var halfOpen = admission.State == CircuitState.HalfOpen;
        var outcome = Refuse(new BrokenCircuitException(
            halfOpen
                ? $"The circuit '{_circuit.ServiceId}' is half-open and another caller is probing; retry after {seconds} s."
                : $"The circuit '{_circuit.ServiceId}' is open; retry after {seconds} s.",
            retryAfter));

        if (_observer.See(halfOpen ? CircuitState.HalfOpen : CircuitState.Open) is not null)
        {
            if (halfOpen)
            {
                await _observer.HalfOpenedAsync(context).ConfigureAwait(context.ContinueOnCapturedContext);
            }
            else
            {
                await _observer.OpenedAsync(context, outcome, retryAfter, isManual: false).ConfigureAwait(context.ContinueOnCapturedContext);
            }
        }

        return outcome;
    }

    private async ValueTask<Outcome<TResult>> RejectIsolatedAsync(ResilienceContext context)
    {
        var outcome = Refuse(new IsolatedCircuitException(_isolatedMessage));
        if (_observer.See(CircuitState.Isolated) is not null)
        {
            await _observer.OpenedAsync(context, outcome, TimeSpan.MaxValue, isManual: true).ConfigureAwait(context.ContinueOnCapturedContext);
        }

        return outcome;
    }

    private Outcome<TResult> Refuse(BrokenCircuitException exception)
    {
        _telemetry.SetTelemetrySource(exception);
        return Outcome.FromException<TResult>(exception);
    }

    // True when the probe was dealt with (settled, or the store failed and its lease lapses by itself); false when it
    // ended without an outcome and is to be released.
    private async ValueTask<bool> SettleProbeAsync(ResilienceContext context, string callId, Outcome<TResult> outcome, bool succeeded, TimeSpan? retryAfter)
    {
        // A probe its caller gave up on says nothing about the dependency: released, so that another caller probes now.
        if (outcome.Exception is OperationCanceledException && context.CancellationToken.IsCancellationRequested)
        {
            return false;
        }

        ProbeSettlement settlement;
        try
        {
            settlement = await _circuit.SettleProbeAsync(callId, succeeded, retryAfter, context.CancellationToken).ConfigureAwait(context.ContinueOnCapturedContext);
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // Cancelled while settling: released instead (a no-op if the settlement was applied after all).
            return false;
        }
        catch (Exception fault)
        {
            // The lease lapses by itself and another caller probes again: nothing is stuck.
            ReportFault(context, "settle-probe", fault);
            return true;
        }

        if (!settlement.Applied)
        {
            return true;
        }

        context.Properties.Set(DistributedCircuitBreakerProperties.ProbeSettlement, settlement);
        if (succeeded)
        {
            if (_observer.See(CircuitState.Closed) is not null)
            {
                await _observer.ClosedAsync(context, outcome, isManual: false).ConfigureAwait(context.ContinueOnCapturedContext);
            }
        }
        else if (_observer.See(CircuitState.Open) is not null)
        {
            await _observer.OpenedAsync(context, outcome, settlement.OpenDuration ?? TimeSpan.Zero, isManual: false).ConfigureAwait(context.ContinueOnCapturedContext);
        }

        return true;
    }

    // Never throws: a lost failure costs one count, never the caller's answer. Reporting ends at the caller's deadline
    // (the circuit bounds it further by the publish budget). True when the failure was accepted for counting.
    private async Task<bool> ReportFailureAsync(ResilienceContext context, string callId, CircuitFailure failure, TimeSpan elapsed)
    {
        var now = _time.GetUtcNow();
        var detail = FailureReports.Of(_circuit.ServiceId, now, failure.Reason, failure.StatusCode, callId, elapsed, failure.RetryAfter);
        using var deadline = context.Properties.TryGetValue(DistributedCircuitBreakerProperties.Deadline, out var due)
            ? new CancellationTokenSource(due > now ? due - now : TimeSpan.Zero, _time)
            : null;
        using var bounded = deadline is null ? null : CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, deadline.Token);
        try
        {
            if (await _circuit.ReportFailureAsync(detail, bounded?.Token ?? context.CancellationToken).ConfigureAwait(false))
            {
                return true;
            }

            _telemetry.Report(
                new ResilienceEvent(ResilienceEventSeverity.Error, FailureLostEvent),
                context,
                new CircuitFaultArguments(_circuit.ServiceId, "report-failure", null));
        }
        catch (Exception fault)
        {
            ReportFault(context, "report-failure", fault);
        }

        return false;
    }

    private async ValueTask ReportCallAsync(ResilienceContext context, bool failed)
    {
        try
        {
            await _circuit.ReportCallAsync(new CircuitCallReport(_time.GetUtcNow(), failed), context.CancellationToken).ConfigureAwait(context.ContinueOnCapturedContext);
        }
        catch (Exception fault)
        {
            ReportFault(context, "report-call", fault);
        }
    }

    private void ReportFault(ResilienceContext context, string operation, Exception? fault) =>
        _telemetry.Report(
            new ResilienceEvent(ResilienceEventSeverity.Warning, FaultEvent),
            context,
            new CircuitFaultArguments(_circuit.ServiceId, operation, fault));
}
