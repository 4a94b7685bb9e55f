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
/// Clamped to the recorder's now it counts as a failure that just happened and expires one window from now. The same
/// holds at any magnitude: a date past the last one a <see cref="DateTimeOffset"/> holds (9e15 ms, <c>long.MaxValue</c>)
/// is simply far in the future, and a date at or before the Unix epoch, which no failure of this system can have, says
/// only that the sender's clock is broken: both count at the latest time the failure can have happened.
/// </remarks>
public static class FailureTime
{
    /// <summary>
    /// How far a failure's own date may run ahead without a warning. Lambda's clocks are kept by NTP to well within a
    /// second and EventBridge stamps <c>time</c> to the whole second, so a few seconds is ordinary skew; more than this
    /// is a clock that is wrong or a date that is forged, worth a warning.
    /// </summary>
    public static readonly TimeSpan ClockSkewAllowance = TimeSpan.FromSeconds(5);

    /// <summary>The time to store and count a failure claimed at <paramref name="claimedEpochMilliseconds"/>, and how its claim was judged.</summary>
    /// <param name="claimedEpochMilliseconds">The failure's own date (<c>detail.failedAtEpochMs</c>), any value at all.</param>
    /// <param name="eventTime">The event's <c>time</c>, set by EventBridge on receipt; null when absent.</param>
    /// <param name="now">The recorder's clock.</param>
    internal static (DateTimeOffset At, FailureDating Dating) Judge(long claimedEpochMilliseconds, DateTimeOffset? eventTime, DateTimeOffset now)
    {
        if (claimedEpochMilliseconds <= 0)
        {
            return (eventTime is { } received && received < now ? received : now, FailureDating.Impossible);
        }

        var claimed = claimedEpochMilliseconds > LatestEpochMilliseconds
            ? DateTimeOffset.MaxValue
            : DateTimeOffset.FromUnixTimeMilliseconds(claimedEpochMilliseconds);
        var (at, beyondAllowance) = Judge(claimed, eventTime, now);
        return (at, beyondAllowance ? FailureDating.Future : FailureDating.AsClaimed);
    }

    /// <summary>The last Unix time, in milliseconds, a <see cref="DateTimeOffset"/> holds (9999-12-31T23:59:59.999Z).</summary>
    internal static long LatestEpochMilliseconds { get; } = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    /// <summary>The time to store and count a failure at, and whether its claimed time was beyond the allowance.</summary>
    /// <param name="claimed">The failure's own date (<c>detail.failedAtEpochMs</c>).</param>
    /// <param name="eventTime">The event's <c>time</c>, set by EventBridge on receipt; null when absent.</param>
    /// <param name="now">The recorder's clock.</param>
    internal static (DateTimeOffset At, bool BeyondAllowance) Judge(DateTimeOffset claimed, DateTimeOffset? eventTime, DateTimeOffset now)
    {
        var at = claimed < now ? claimed : now;
        // Saturating: a claim near DateTimeOffset.MaxValue is beyond any receipt time, and adding to it would throw.
        var beyondEvent = eventTime is { } received && claimed - ClockSkewAllowance > received;
        if (beyondEvent && eventTime!.Value < at)
        {
            // Delivered late (EventBridge retries for up to a day): the event's own time is the better bound.
            at = eventTime.Value;
        }

        return (at, beyondEvent || claimed - ClockSkewAllowance > now);
    }
}

/// <summary>How a failure's claimed date was judged by <see cref="FailureTime.Judge(long, DateTimeOffset?, DateTimeOffset)"/>.</summary>
internal enum FailureDating
{
    /// <summary>Counted at its claimed date, or clamped within the clock-skew allowance: nothing to warn about.</summary>
    AsClaimed,

    /// <summary>Dated beyond the allowance (a wrong clock or a forged date, at any magnitude): clamped, worth a warning.</summary>
    Future,

    /// <summary>Dated at or before the Unix epoch, which no real failure is: counted at the latest time it can have happened, with a warning.</summary>
    Impossible,
}
