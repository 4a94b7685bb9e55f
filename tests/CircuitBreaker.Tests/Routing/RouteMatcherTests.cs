using CircuitBreaker.Functions.Routing;

namespace CircuitBreaker.Tests.Routing;

public sealed class RouteMatcherTests
{
    private static readonly RouteMatcher Matcher = new(["/", "/orders", "/orders/archive", "/pay"]);

    [Theory]
    [InlineData("/orders", 1)]
    [InlineData("/orders/", 1)]
    [InlineData("/orders/7", 1)]
    [InlineData("/orders/archive", 2)]
    [InlineData("/orders/archive/2019", 2)]
    [InlineData("/orders/archived", 1)]
    [InlineData("/ordersx", 0)]
    [InlineData("/Orders", 0)]
    [InlineData("/pay", 3)]
    [InlineData("/", 0)]
    [InlineData("/anything/else", 0)]
    public void TheLongestPrefixOnASegmentBoundaryWins(string path, int expected) =>
        Assert.Equal(expected, Matcher.Match(path));

    [Theory]
    [InlineData("/ordersx")]
    [InlineData("/order")]
    [InlineData("/")]
    [InlineData("/pay-later")]
    public void WithoutARootRouteAPathOutsideEveryPrefixMatchesNothing(string path) =>
        Assert.Null(new RouteMatcher(["/orders", "/pay"]).Match(path));

    [Theory]
    [InlineData("/%6frders/1", "/orders/1")]
    [InlineData("/%6F%72ders", "/orders")]
    [InlineData("/a%7Eb%2D%2e%5F", "/a~b-._")]
    [InlineData("/orders%2Fx", "/orders%2Fx")]
    [InlineData("/a%20b/%C3%A9", "/a%20b/%C3%A9")]
    [InlineData("/100%25", "/100%25")]
    [InlineData("/plain", "/plain")]
    [InlineData("/x%6", "/x%6")]
    public void OnlyEncodedUnreservedCharactersAreDecodedForMatching(string raw, string expected) =>
        Assert.Equal(expected, MatchingPath.Of(raw));

    [Fact]
    public void AnEncodedLetterCannotSlipPastARouteIntoAnother()
    {
        var matcher = new RouteMatcher(["/", "/orders"]);

        Assert.Equal(1, matcher.Match(MatchingPath.Of("/%6frders/secret")));
        Assert.Equal(0, matcher.Match(MatchingPath.Of("/orders%2Fsecret")));
    }

    [Theory]
    [InlineData("/orders/7", 1, "/7")]
    [InlineData("/%6frders/a%20b", 1, "/a%20b")]
    [InlineData("/orders", 1, "/")]
    [InlineData("/orders/", 1, "/")]
    [InlineData("/v2/orders/7/lines", 2, "/7/lines")]
    [InlineData("/orders/7", 0, "/orders/7")]
    public void StrippingRemovesWholeSegmentsAndKeepsTheRestAsSent(string raw, int segments, string expected) =>
        Assert.Equal(expected, RoutedPath.Strip(raw, segments));
}
