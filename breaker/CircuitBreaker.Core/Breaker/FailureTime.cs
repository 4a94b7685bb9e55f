namespace CircuitBreaker.Core.Breaker;

/// <summary>
/// When a failure is taken to have happened. Its event says when (the webservice's clock), but a failure dated in
/// the future (a bad clock, or anyone allowed to put events on the bus) would count in every window until that date,
/// expire late and outlive a closing probe. So a failure never counts later than it can really have happened: not
/// after it reached the recorder, and not after EventBridge received its event (docs/design.md, "Failure modes").
/// </summary>
/// <remarks>
/// A claimed time beyond that is clamped, not dropped: the failure did happen (or the bus is already open to forged
/// failures, which a current date would make count just as well), and it happened at the latest when it reached us.
/// Clamped to the recorder's now it counts as a failure that just happened and expires one window from now.
/// </remarks>
internal static class FailureTime
{
    /// <summary>
    /// How far a failure's own date may run ahead without a warning. Lambda's clocks are kept by NTP to well within a
    /// second and EventBridge stamps <c>time</c> to the whole second, so a few seconds is ordinary skew; more than this
    /// is a clock that is wrong or a date that is forged, worth a warning.
    /// </summary>
    public static readonly TimeSpan ClockSkewAllowance = TimeSpan.FromSeconds(5);

    /// <summary>The time to store and count a failure at, and whether its claimed time was beyond the allowance.</summary>
    /// <param name="claimed">The failure's own date (<c>detail.failedAtEpochMs</c>).</param>
    /// <param name="eventTime">The event's <c>time</c>, set by EventBridge on receipt; null when absent.</param>
    /// <param name="now">The recorder's clock.</param>
    public static (DateTimeOffset At, bool BeyondAllowance) Judge(DateTimeOffset claimed, DateTimeOffset? eventTime, DateTimeOffset now)
    {
        var at = claimed < now ? claimed : now;
        var beyondEvent = eventTime is { } received && claimed > received + ClockSkewAllowance;
        if (beyondEvent && eventTime!.Value < at)
        {
            // Delivered late (EventBridge retries for up to a day): the event's own time is the better bound.
            at = eventTime.Value;
        }

        return (at, beyondEvent || claimed > now + ClockSkewAllowance);
    }
}
