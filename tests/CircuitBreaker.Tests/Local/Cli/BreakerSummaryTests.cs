using CircuitBreaker.Local.Cli;
using CircuitBreaker.Tests.Support;

namespace CircuitBreaker.Tests.Local.Cli;

public sealed class BreakerSummaryTests
{
    [Fact]
    public void TheDefaultsReadAsTheOriginalDemo()
    {
        Assert.Equal(
            "timeout 10 s, threshold 3, window 60 s, open 60 s, service downstream.test",
            BreakerSummary.Of(TestSettings.Circuit()));
    }

    [Fact]
    public void TheProductionModesAreNamedWhenOn()
    {
        var settings = TestSettings.Circuit(timeoutSeconds: 1, failureRatio: 0.5, minimumThroughput: 20, slowCallSeconds: 0.2, openSeconds: 6, maxOpenSeconds: 48);

        Assert.Equal(
            "timeout 1 s, slow after 0.2 s, failure ratio 0.5 of at least 20 calls, window 60 s, open 6 s doubling per failed probe up to 48 s, service downstream.test",
            BreakerSummary.Of(settings));
    }
}
