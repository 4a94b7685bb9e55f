using CircuitBreaker.Functions.Webservice.Routing;

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

    [Theory]
    [InlineData("/orders/admin/x", 2)]
    [InlineData("/ORDERS/Admin", 2)]
    [InlineData("/Orders/x", 0)]
    [InlineData("/orders/x", 1)]
    [InlineData("/orders/adminx", 1)]
    public void ARouteThatIgnoresCaseMatchesWhateverTheCaseOthersStayCaseSensitive(string path, int expected)
    {
        var matcher = new RouteMatcher([("/", false), ("/orders", false), ("/orders/admin", true)]);

        Assert.Equal(expected, matcher.Match(path));
    }

    [Theory]
    [InlineData("/a//b///c", "/a/b/c")]
    [InlineData("//", "/")]
    public void MergingSlashesReadsRunsOfSlashesAsOne(string raw, string expected) =>
        Assert.Equal(expected, PathReadings.MergeSlashes(raw));

    [Theory]
    [InlineData("/a;v=1/b;x;y/c", "/a/b/c")]
    [InlineData("/a;/b", "/a/b")]
    [InlineData("/;x", "/")]
    public void DroppingParametersReadsEachSegmentWithoutWhatFollowsItsSemicolon(string raw, string expected) =>
        Assert.Equal(expected, PathReadings.DropParameters(raw));

    [Theory]
    [InlineData("/%256frders", "/orders")]
    [InlineData("/%25256frders", "/orders")]
    [InlineData("/100%25", "/100%")]
    [InlineData("/a%252Fb", "/a%2Fb")]
    [InlineData("/a%20b", "/a%20b")]
    public void DecodingAgainTurnsEncodedPercentSignsIntoWhatTheyEncodeButNeverASlash(string raw, string expected) =>
        Assert.Equal(expected, PathReadings.DecodePercentSigns(raw));

    [Fact]
    public void OnlyAReadingThatLandsOnAnotherRouteRefusesThePath()
    {
        var matcher = new RouteMatcher(["/orders", "/orders/admin"]);

        Assert.Null(PathReadings.WhyAmbiguous("/orders//7", matcher, 0));
        Assert.Null(PathReadings.WhyAmbiguous("/orders/7;v=1", matcher, 0));
        Assert.NotNull(PathReadings.WhyAmbiguous("/orders//admin", matcher, 0));
    }
}
