using System.Globalization;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Logging;
using CircuitBreaker.Core.Store;

namespace CircuitBreaker.Core.Breaker;

/// <summary>What recording one failure event did.</summary>
/// <param name="Stored">False when the same event had been stored before (a redelivery).</param>
/// <param name="FailuresInWindow">Failures counted in the window, counted only as far as the decision needs; null when not counted.</param>
/// <param name="Opened">True when this event's recording opened the circuit.</param>
/// <param name="CallsInWindow">In failure-ratio mode, the calls in the window (successes plus failures); otherwise null.</param>
public sealed record RecordingOutcome(bool Stored, int? FailuresInWindow, bool Opened, long? CallsInWindow = null);

/// <summary>
/// The recorder's side of the breaker: stores each failure once, and opens a closed circuit when the
/// failures within the window reach the threshold, or their ratio to calls the failure ratio (<see cref="IOpeningRule"/>).
/// </summary>
public sealed class FailureRecorder(
    ICircuitStore store, CircuitPolicy settings, TimeProvider time, FunctionLog log, TransitionReporter? transitions = null)
{
    private readonly TransitionReporter _transitions = transitions ?? TransitionReporter.LogOnly(log, time);

    private readonly IOpeningRule _rule = OpeningRules.For(store, settings);

    /// <summary>
    /// Slack added to a failure's expiry so that a failure is never deleted while it can still count,
    /// whatever the clocks of the webservice and the recorder say.
    /// </summary>
    internal static readonly TimeSpan ExpirySlack = TimeSpan.FromMinutes(1);

    /// <summary>The warning logged for a failure dated beyond <see cref="FailureTime.ClockSkewAllowance"/>.</summary>
    internal const string FutureFailureMessage = "failure dated in the future: recorded at the latest time it can have happened";

    /// <summary>The warning logged for a failure dated at or before the Unix epoch, which no real failure can be.</summary>
    internal const string ImpossibleDateMessage = "failure dated before any real date: recorded at the latest time it can have happened";

    /// <summary>
    /// Records one failure and opens the circuit when due. Safe to call again with the same event:
    /// a redelivery stores nothing new but still re-evaluates the circuit, in case the first delivery
    /// died between storing and opening. Store faults propagate, so that EventBridge retries the event.
    /// </summary>
    public Task<RecordingOutcome> RecordAsync(string eventId, FailureEventDetail failure, CancellationToken cancellationToken) =>
        RecordAsync(eventId, failure, eventTime: null, cancellationToken);

    /// <summary>
    /// Records one failure as <see cref="RecordAsync(string, FailureEventDetail, CancellationToken)"/> does, dated no
    /// later than it can have happened (<see cref="FailureTime"/>): not after <paramref name="eventTime"/>, when
    /// EventBridge received its event, nor after now. A date beyond the clock-skew allowance, at any magnitude, or at
    /// or before the Unix epoch is logged as a warning and counted at that latest time.
    /// </summary>
    public async Task<RecordingOutcome> RecordAsync(string eventId, FailureEventDetail failure, DateTimeOffset? eventTime, CancellationToken cancellationToken)
    {
        var claimed = failure.FailedAtEpochMilliseconds;
        var (failedAt, dating) = FailureTime.Judge(claimed, eventTime, time.GetUtcNow());
        if (dating != FailureDating.AsClaimed)
        {
            log.Warn(
                dating == FailureDating.Future ? FutureFailureMessage : ImpossibleDateMessage,
                new LogScope(failure.RequestId, failure.ServiceId),
                ("eventId", eventId),
                ("claimedFailedAtEpochMs", claimed),
                ("eventTime", eventTime),
                ("recordedFailedAt", failedAt),
                ("clockSkewAllowanceSeconds", FailureTime.ClockSkewAllowance.TotalSeconds));
        }

        var record = new FailureRecord(failure.ServiceId, eventId, failedAt, failedAt + settings.Window + ExpirySlack, failure.Reason);
        var stored = await store.RecordFailureAsync(record, cancellationToken).ConfigureAwait(false);

        var state = await store.GetAsync(failure.ServiceId, cancellationToken).ConfigureAwait(false);
        var scope = new LogScope(failure.RequestId, failure.ServiceId, state.Status.ToView().Name());
        if (state.Status != CircuitStatus.Closed)
        {
            // Open or probing: the probe's outcome, not stray failures, decides what comes next; isolated: the operator does.
            return new RecordingOutcome(stored, null, Opened: false);
        }

        var now = time.GetUtcNow();
        var since = now - settings.Window;
        if (state.ClosedAt > since)
        {
            since = state.ClosedAt.Value;
        }

        if (failedAt < since)
        {
            // A late delivery of an old failure cannot tip the circuit over.
            return new RecordingOutcome(stored, null, Opened: false);
        }

        // Failures dated later than any recorder can have stored them (an older version stored claimed dates as
        // they came) must not count either.
        var until = now + FailureTime.ClockSkewAllowance;
        var verdict = await _rule.EvaluateAsync(failure.ServiceId, since, until, cancellationToken).ConfigureAwait(false);
        if (!verdict.Opens)
        {
            return new RecordingOutcome(stored, verdict.Failures, Opened: false, verdict.Calls);
        }

        // A downstream that said how long to leave it alone (Retry-After on a 429 or a 503) is left alone that long, up to the cap.
        var period = settings.OpenPeriodHonouring(settings.OpenDuration, failure.RetryAfter());
        var openUntil = now + period;
        var opened = await store.TryOpenAsync(failure.ServiceId, state.Version, openUntil, cancellationToken).ConfigureAwait(false);
        if (opened)
        {
            var reason = period > settings.OpenDuration ? string.Create(CultureInfo.InvariantCulture, $"{verdict.Reason}; open {period.TotalSeconds:0.###} s as the downstream's Retry-After asked") : verdict.Reason;
            await _transitions.ReportAsync(scope, CircuitView.Closed, CircuitView.Open, reason, openUntil, cancellationToken).ConfigureAwait(false);
        }

        return new RecordingOutcome(stored, verdict.Failures, opened, verdict.Calls);
    }
}
