using CircuitBreaker.Bench.Metrics;

namespace CircuitBreaker.Tests.Bench.Metrics;

public sealed class PercentilesTests
{
    [Fact]
    public void MedianOfAnOddCountIsTheMiddleValueWhateverTheOrder()
    {
        Assert.Equal(3, Percentiles.Median([5, 1, 4, 2, 3]));
    }

    [Fact]
    public void PercentilesInterpolateBetweenClosestRanks()
    {
        double[] values = [1, 2, 3, 4];
        Assert.Equal(2.5, Percentiles.Of(values, 50), 10);
        Assert.Equal(1.75, Percentiles.Of(values, 25), 10);
        Assert.Equal(3.97, Percentiles.Of(values, 99), 10);
    }

    [Fact]
    public void ExtremesAreTheMinimumAndMaximum()
    {
        double[] values = [7, -2, 10];
        Assert.Equal(-2, Percentiles.Of(values, 0));
        Assert.Equal(10, Percentiles.Of(values, 100));
    }

    [Fact]
    public void NoValuesGiveNaN()
    {
        Assert.True(double.IsNaN(Percentiles.Of([], 50)));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(100.5)]
    public void APercentileOutside0To100IsRefused(double percentile)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Percentiles.Of([1, 2], percentile));
    }

    [Fact]
    public void TheMedianOfAFieldLeavesOutRunsThatCouldNotMeasureIt()
    {
        (string Run, double Seconds)[] runs = [("a", 9), ("b", double.NaN), ("c", 1), ("d", 4)];

        Assert.Equal(4, Percentiles.MedianOf(runs, r => r.Seconds));
        Assert.True(double.IsNaN(Percentiles.MedianOf(runs.Take(2).Skip(1), r => r.Seconds)));
    }
}
