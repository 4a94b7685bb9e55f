using CircuitBreaker.Tests.Support;

namespace CircuitBreaker.Tests.Handlers;

/// <summary>
/// Whatever the spelling, a request reaches a path under the configured base path or gets a 400 problem; checked
/// against a loopback downstream that logs the exact request line it received.
/// </summary>
public sealed class WebserviceBasePathTests
{
    public static TheoryData<string> Escapes { get; } =
    [
        "/../../secret", "/..", "/.", "/./secret", "/a/../../secret", "/a/..",
        "/%2e%2e/%2e%2e/secret", "/%2E%2E/secret", "/%2e%2E/secret", "/.%2e/.%2e/up", "/%2e./up", "/%2e/secret",
        "/%252e%252e/secret", "/%25252e%25252e/secret", "/%252E%252E%252Fsecret", "/%252525252e%252525252e/secret",
        "/a\\..\\..\\x", "/a%5c..%5c..%5cx", "/a%5C..%5Cx", "/..\\secret", "/a%255c..",
        "/..%2fsecret", "/..%2Fsecret", "/a%2f..%2f..%2fsecret", "/%252f",
        "/..;/secret", "/a/..;jsessionid=1/secret", "/.;/secret", "/%2e%2e;/secret",
        "/.../secret", "/.. /secret", "/..%20/secret",
        "/%c0%ae%c0%ae/secret", "/%C0%AE%C0%AE%C0%AFsecret", "/%e0%80%ae%e0%80%ae/secret",
        "/%ef%bc%8e%ef%bc%8e/secret", "/\uff0e\uff0e/secret", "/\u2025/secret", "/a\uff0fsecret",
        "/%00/secret", "/x%0d%0aX-Injected:%201", "/x%09", "/x\u007f",
        "/%zz", "/%2", "/x%",
        "http://elsewhere.test/secret", "elsewhere", "*",
    ];

    public static TheoryData<string, string> Accepted { get; } = new()
    {
        { "/", "/base/" },
        { "/orders/7", "/base/orders/7" },
        { "/a..b/c.d/..e", "/base/a..b/c.d/..e" },
        { "/.well-known/x", "/base/.well-known/x" },
        { "/%41bc/%7euser", "/base/%41bc/%7euser" },
        { "/caf%C3%A9/%e2%9c%93", "/base/caf%C3%A9/%e2%9c%93" },
        { "/caf\u00e9", "/base/caf%C3%A9" },
        { "/a b", "/base/a%20b" },
        { "/a;v=1/b", "/base/a;v=1/b" },
        { "/x/", "/base/x/" },
        { "//double", "/base//double" },
        { "/100%25", "/base/100%25" },
        { "/a#b", "/base/a%23b" },
    };

    [Theory]
    [MemberData(nameof(Escapes))]
    public async Task APathThatCouldLeaveTheBasePathInAnySpellingIsA400ProblemAndNeverSent(string rawPath)
    {
        await using var downstream = RawHttpServer.StartOk();
        using var webservice = new RelayedWebservice(new Uri(downstream.Address, "/base/"));

        var response = await webservice.InvokeAsync(Invocations.HttpApiEvent(path: rawPath));

        Assert.Equal(400, response.GetProperty("statusCode").GetInt32());
        Assert.Equal("urn:circuit-breaker:problem:path-refused", RelayedWebservice.ProblemOf(response).GetProperty("type").GetString());
        Assert.Empty(downstream.Received);
        Assert.Empty(webservice.Publisher.Published);
        Assert.Equal(0, webservice.Store.StateReads);
    }

    [Theory]
    [MemberData(nameof(Accepted))]
    public async Task AnOrdinaryPathIsAppendedToTheBasePathExactlyAsSent(string rawPath, string expectedTarget)
    {
        await using var downstream = RawHttpServer.StartOk();
        using var webservice = new RelayedWebservice(new Uri(downstream.Address, "/base/"));

        var response = await webservice.InvokeAsync(Invocations.HttpApiEvent(path: rawPath));

        Assert.Equal(200, response.GetProperty("statusCode").GetInt32());
        Assert.Equal(expectedTarget, Assert.Single(downstream.Received).Target);
    }

    [Theory]
    [InlineData("a=1&b=%2e%2e", "/base/x?a=1&b=%2e%2e")]
    [InlineData("q=a b#frag", "/base/x?q=a%20b%23frag")]
    [InlineData("q=\u00e9", "/base/x?q=%C3%A9")]
    [InlineData("a=1 HTTP/1.1\r\nX-Injected: 1", "/base/x?a=1%20HTTP/1.1%0D%0AX-Injected:%201")]
    public async Task TheQueryIsRelayedWithWhatCannotGoOnARequestLinePercentEncoded(string rawQuery, string expectedTarget)
    {
        await using var downstream = RawHttpServer.StartOk();
        using var webservice = new RelayedWebservice(new Uri(downstream.Address, "/base/"));

        await webservice.InvokeAsync(Invocations.HttpApiEvent(path: "/x", query: rawQuery));

        var received = Assert.Single(downstream.Received);
        Assert.Equal(expectedTarget, received.Target);
        Assert.DoesNotContain(received.HeaderLines, line => line.Contains("X-Injected", StringComparison.Ordinal));
    }
}
