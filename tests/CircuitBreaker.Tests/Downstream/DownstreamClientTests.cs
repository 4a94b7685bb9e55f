using CircuitBreaker.Functions.Webservice.Downstream;

namespace CircuitBreaker.Tests.Downstream;

public sealed class DownstreamClientTests
{
    [Theory]
    [InlineData("https://api.test/", "/", "", "https://api.test/")]
    [InlineData("https://api.test/v1", "/", "", "https://api.test/v1")]
    [InlineData("https://api.test/v1/", "/orders", "a=1&b=2", "https://api.test/v1/orders?a=1&b=2")]
    [InlineData("https://api.test/v1?key=k", "/", "", "https://api.test/v1?key=k")]
    [InlineData("https://api.test/v1?key=k", "/x", "q=1", "https://api.test/v1/x?q=1")]
    public void TheClientsPathAndQueryAreAppendedToTheDownstreamUrl(string downstream, string path, string query, string expected)
    {
        var (request, rejection) = RelayRequestFactory.Prepare(new DownstreamRequest("GET", path, query, new Dictionary<string, string>(), [], null), new Uri(downstream), RelayPolicy.Default);

        Assert.Null(rejection);
        Assert.Equal(expected, request!.Target.OriginalString);
    }

    [Theory]
    [InlineData("/base", true)]
    [InlineData("/base/", true)]
    [InlineData("/base/x", true)]
    [InlineData("/basement", false)]
    [InlineData("/", false)]
    [InlineData("/other/base/x", false)]
    public void TheLastCheckAcceptsOnlyTheBasePathAndWhatLiesBelowIt(string path, bool under) =>
        Assert.Equal(under, RelayTarget.IsUnder(path, "/base/"));
}
