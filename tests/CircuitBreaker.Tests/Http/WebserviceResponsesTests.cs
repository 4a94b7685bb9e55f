using CircuitBreaker.Functions.Webservice.Http;

namespace CircuitBreaker.Tests.Http;

public sealed class WebserviceResponsesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(0.001, 1)]
    [InlineData(1, 1)]
    [InlineData(1.2, 2)]
    [InlineData(59.99, 60)]
    [InlineData(-5, 1)]
    public void RetryAfterIsWholeSecondsRoundedUpAndAtLeastOne(double secondsAhead, int expected) =>
        Assert.Equal(expected, WebserviceResponses.RetryAfterSeconds(Now.AddSeconds(secondsAhead) - Now));
}
