using CircuitBreaker.Aws.DynamoDb;
using CircuitBreaker.Core.Store;

namespace CircuitBreaker.Tests.Store;

public sealed class CircuitItemKeysTests
{
    [Fact]
    public void AFailureKeyHoldsFifteenDigitMillisecondsAndTheEventId()
    {
        var failedAt = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123);

        Assert.Equal("failure#001700000000123#abc-1", CircuitItemKeys.Failure(failedAt, "abc-1"));
    }

    [Fact]
    public void FailureKeysSortInTimeOrder()
    {
        var times = new[] { 5L, 999, 1_000, 1_700_000_000_000, 99_999_999_999_999 }
            .Select(DateTimeOffset.FromUnixTimeMilliseconds).ToArray();

        var keys = times.Select(t => CircuitItemKeys.Failure(t, "z")).ToArray();

        Assert.Equal(keys, keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void TheRangeTakesEveryKeyFromSinceToUntilBothInclusiveAndNothingLater()
    {
        var since = DateTimeOffset.FromUnixTimeMilliseconds(1_000);
        var until = since.AddSeconds(65);
        var (from, to) = CircuitItemKeys.FailuresBetween(since, until);

        bool InRange(string key) => string.CompareOrdinal(key, from) >= 0 && string.CompareOrdinal(key, to) <= 0;

        Assert.True(InRange(CircuitItemKeys.Failure(since, "e")));
        Assert.True(InRange(CircuitItemKeys.Failure(until, "~~~")));
        Assert.False(InRange(CircuitItemKeys.Failure(until.AddMilliseconds(1), "0")));
        Assert.False(InRange(CircuitItemKeys.Failure(since.AddYears(500), "e")));
        Assert.False(InRange(CircuitItemKeys.Failure(since.AddMilliseconds(-1), "~~~")));
        Assert.False(InRange(CircuitItemKeys.State));
    }

    [Fact]
    public void AnEmptyEventIdIsRejected()
    {
        Assert.Throws<ArgumentException>(() => CircuitItemKeys.Failure(DateTimeOffset.UnixEpoch, ""));
    }
}
