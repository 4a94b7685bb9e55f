using CircuitBreaker.Functions.Downstream;

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
        using var http = new HttpClient();
        var client = new DownstreamClient(http, new Uri(downstream), TimeProvider.System);

        Assert.Equal(new Uri(expected), client.TargetFor(path, query));
    }
}
