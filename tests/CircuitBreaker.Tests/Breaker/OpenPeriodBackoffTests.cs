using CircuitBreaker.Core.Breaker;
using CircuitBreaker.Tests.Support;

namespace CircuitBreaker.Tests.Breaker;

public sealed class OpenPeriodBackoffTests
{
    [Fact]
    public void WithTheCapAtTheOpenPeriodBackoffIsOffAndEveryPeriodIsTheOpenPeriod()
    {
        var backoff = new OpenPeriodBackoff(TestSettings.Policy(openSeconds: 6), () => 0.9);

        Assert.False(backoff.IsOn);
        Assert.All(Enumerable.Range(0, 5), failed => Assert.Equal(TimeSpan.FromSeconds(6), backoff.PeriodAfter(failed)));
    }

    [Fact]
    public void TheFirstOpeningIsTheOpenPeriodWithoutJitter()
    {
        var backoff = new OpenPeriodBackoff(TestSettings.Policy(openSeconds: 6, maxOpenSeconds: 60), () => 0.9);

        Assert.True(backoff.IsOn);
        Assert.Equal(TimeSpan.FromSeconds(6), backoff.PeriodAfter(0));
    }

    [Theory]
    [InlineData(1, 12)]
    [InlineData(2, 24)]
    [InlineData(3, 48)]
    public void EachFailedProbeDoublesThePeriodBelowTheCap(int failedProbes, double nominalSeconds)
    {
        var backoff = new OpenPeriodBackoff(TestSettings.Policy(openSeconds: 6, maxOpenSeconds: 100), () => 0.5);

        Assert.Equal(TimeSpan.FromSeconds(nominalSeconds), backoff.PeriodAfter(failedProbes));
    }

    [Theory]
    [InlineData(0.0, 0.9)]
    [InlineData(0.25, 0.95)]
    [InlineData(0.75, 1.05)]
    public void TheDrawPlacesThePeriodWithinATenthOfTheDoubledPeriod(double draw, double factor)
    {
        var backoff = new OpenPeriodBackoff(TestSettings.Policy(openSeconds: 10, maxOpenSeconds: 1000), () => draw);

        Assert.Equal(40 * factor, Math.Round(backoff.PeriodAfter(2).TotalSeconds, 6));
    }

    [Theory]
    [InlineData(0.0, 54)]
    [InlineData(0.5, 57)]
    [InlineData(0.999999, 60)]
    public void AtTheCapPeriodsSpreadOverItsLastTenthAndNeverExceedIt(double draw, double expectedSeconds)
    {
        var backoff = new OpenPeriodBackoff(TestSettings.Policy(openSeconds: 6, maxOpenSeconds: 60), () => draw);

        Assert.Equal(expectedSeconds, Math.Round(backoff.PeriodAfter(30).TotalSeconds, 3));
    }

    [Fact]
    public void ManyFailedProbesInARowDoNotOverflow()
    {
        var backoff = new OpenPeriodBackoff(TestSettings.Policy(openSeconds: 1, maxOpenSeconds: 3600), () => 1.0);

        Assert.Equal(TimeSpan.FromSeconds(3600), backoff.PeriodAfter(int.MaxValue));
    }
}
