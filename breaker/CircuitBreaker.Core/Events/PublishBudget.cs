namespace CircuitBreaker.Core.Events;

/// <summary>
/// How long putting one event on the bus may hold up the call that made it, for every event the breaker puts: a
/// failure (the Polly strategy, which the webservice runs), a slow call's report, a state change. PutEvents normally
/// answers in tens of milliseconds, so a second covers a retry or two; in an EventBridge brownout the caller gets its
/// answer this long after the event instead of near its deadline. An event that misses it is lost and logged; a lost
/// failure only delays opening the circuit, since the next failures are published as usual.
/// </summary>
public static class PublishBudget
{
    /// <summary>The longest one publication may take.</summary>
    public static readonly TimeSpan Longest = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The budget of a publication starting at <paramref name="now"/>: <see cref="Longest"/>, and never past
    /// <paramref name="deadline"/> (when the caller's answer is due, less the time to give it), nor below zero.
    /// </summary>
    public static TimeSpan Until(DateTimeOffset? deadline, DateTimeOffset now)
    {
        if (deadline is not { } due)
        {
            return Longest;
        }

        var left = due - now;
        return left < TimeSpan.Zero ? TimeSpan.Zero : left < Longest ? left : Longest;
    }
}
