using Microsoft.Extensions.Time.Testing;

namespace CircuitBreaker.Tests.Support;

/// <summary>The fake clock the breaker's unit tests run on, all starting at the same instant so that their times compare.</summary>
internal static class TestClock
{
    /// <summary>Where every clock from <see cref="New"/> starts.</summary>
    public static readonly DateTimeOffset Start = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    /// <summary>A fake clock at <see cref="Start"/>.</summary>
    public static FakeTimeProvider New() => new(Start);
}
