using CircuitBreaker.Core.Breaker;
using CircuitBreaker.Tests.Support;

namespace CircuitBreaker.Tests.Breaker;

public sealed class SuccessBucketsTests
{
    private static readonly DateTimeOffset Second = new(2026, 11, 28, 12, 0, 7, TimeSpan.Zero);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(999)]
    public void ATimeBelongsToTheSecondItFallsIn(int milliseconds)
    {
        Assert.Equal(Second, SuccessBuckets.StartOf(Second + TimeSpan.FromMilliseconds(milliseconds)));
    }

    [Fact]
    public void TheNextSecondStartsTheNextBucket()
    {
        Assert.Equal(Second + TimeSpan.FromSeconds(1), SuccessBuckets.StartOf(Second + TimeSpan.FromMilliseconds(1000)));
    }

    [Fact]
    public void ABucketExpiresOnlyAfterTheLastWindowItCanCountInPlusSlack()
    {
        var settings = TestSettings.Circuit(windowSeconds: 30);

        Assert.Equal(Second + TimeSpan.FromSeconds(31) + FailureRecorder.ExpirySlack, SuccessBuckets.ExpiryOf(Second, settings.Policy));
    }
}
