using System.Globalization;
using CircuitBreaker.Core.Breaker;
using CircuitBreaker.Core.Store;

namespace CircuitBreaker.Cli;

/// <summary>Formats what <c>circuitctl status</c> prints: one "name: value" line per fact, aligned.</summary>
internal static class CircuitStatusReport
{
    /// <summary>The lines describing <paramref name="record"/> as of <paramref name="now"/>.</summary>
    /// <param name="record">The circuit's state item.</param>
    /// <param name="failures">Failures counted since <paramref name="countedSince"/>.</param>
    /// <param name="countedSince">The start of the counted window (the window, or the last close if later).</param>
    /// <param name="now">The caller's clock.</param>
    public static IEnumerable<string> Lines(CircuitRecord record, int failures, DateTimeOffset countedSince, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(record);
        yield return Line("service", record.ServiceId);
        yield return Line("state", record.Status.ToView().Name());
        if (record.Status == CircuitStatus.Open && record.OpenUntil is { } openUntil)
        {
            yield return Line("open until", At(openUntil, now) + (openUntil <= now ? " (the next request probes)" : string.Empty));
        }

        if (record.Status == CircuitStatus.HalfOpen)
        {
            yield return Line("probe lease", $"held by {record.ProbeOwner ?? "(unknown)"} until {At(record.ProbeLeaseUntil, now)}");
        }

        if (record.Status == CircuitStatus.Isolated)
        {
            yield return Line("isolated", "requests fail fast until released with: circuitctl close");
        }

        yield return Line("failures", string.Create(CultureInfo.InvariantCulture, $"{failures} since {At(countedSince, now)}"));
        yield return Line("last change", record.ChangedAt is { } changed ? At(changed, now) : "none recorded");
        if (record.ClosedAt is { } closedAt)
        {
            yield return Line("last closed", At(closedAt, now));
        }
    }

    private static string Line(string name, string value) => $"{name + ":",-13}{value}";

    private static string At(DateTimeOffset? time, DateTimeOffset now)
    {
        if (time is not { } at)
        {
            return "(unknown)";
        }

        var text = at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        var seconds = (at - now).TotalSeconds;
        var relative = seconds >= 0 ? $"in {seconds:0} s" : $"{-seconds:0} s ago";
        return string.Create(CultureInfo.InvariantCulture, $"{text} ({relative})");
    }
}
