using System.Text;
using CircuitBreaker.Tests.Support;

namespace CircuitBreaker.Tests.Handlers;

/// <summary>
/// What the webservice relays and what it keeps back, seen from a loopback downstream that records the exact
/// bytes it received: cookies, redirects, unwritable and hop-by-hop headers, methods.
/// </summary>
public sealed class WebserviceRelayTests
{
    [Fact]
    public async Task EachRequestCarriesOnlyItsOwnClientsCookiesAndASetCookieGoesBackToThatClientOnly()
    {
        await using var downstream = RawHttpServer.Start(_ => RawHttpServer.Response(200, "text/plain", "hi"u8.ToArray(), "Set-Cookie: session=alice-secret; Path=/"));
        using var webservice = new RelayedWebservice(downstream.Address);

        var alice = await webservice.InvokeAsync(Invocations.HttpApiEvent(path: "/login", cookies: ["a=1", "theme=dark"]));
        await webservice.InvokeAsync(Invocations.HttpApiEvent(path: "/profile"));
        await webservice.InvokeAsync(Invocations.HttpApiEvent(path: "/profile", cookies: ["c=3"]));

        Assert.Equal(["session=alice-secret; Path=/"], alice.GetProperty("cookies").EnumerateArray().Select(c => c.GetString()));
        var received = downstream.Received;
        Assert.Equal(3, received.Count);
        Assert.Equal(["a=1; theme=dark"], received[0].Values("Cookie"));
        Assert.Empty(received[1].Values("Cookie"));
        Assert.Equal(["c=3"], received[2].Values("Cookie"));
    }

    [Theory]
    [InlineData(302)]
    [InlineData(307)]
    public async Task ARedirectIsRelayedToTheClientWithItsLocationAndNotFollowed(int status)
    {
        await using var elsewhere = RawHttpServer.StartOk();
        var location = new Uri(elsewhere.Address, "/steal").AbsoluteUri;
        await using var downstream = RawHttpServer.Start(_ => RawHttpServer.Response(status, null, [], $"Location: {location}"));
        using var webservice = new RelayedWebservice(downstream.Address);

        var response = await webservice.InvokeAsync(Invocations.HttpApiEvent(method: "POST", body: "secret", cookies: ["s=1"]));

        Assert.Equal(status, response.GetProperty("statusCode").GetInt32());
        Assert.Equal(location, response.GetProperty("headers").GetProperty("location").GetString());
        Assert.Single(downstream.Received);
        Assert.Empty(elsewhere.Received);
        Assert.Empty(webservice.Publisher.Published);
    }

    [Fact]
    public async Task AHeaderOrCookieWithCrLfOrNulIsDroppedNeverInjectedAndOnlyItsNameIsLogged()
    {
        await using var downstream = RawHttpServer.StartOk();
        using var webservice = new RelayedWebservice(downstream.Address);
        var headers = new Dictionary<string, string>
        {
            ["accept"] = "text/html\r\nX-Injected: header",
            ["if-match"] = "\"a\"\0X-Injected: nul",
            ["content-language"] = "de\nX-Injected: lf",
            ["accept-language"] = "fr",
        };

        var response = await webservice.InvokeAsync(Invocations.HttpApiEvent(headers: headers, cookies: ["ok=1", "bad=1\r\nX-Injected: cookie"]));

        Assert.Equal(200, response.GetProperty("statusCode").GetInt32());
        var received = Assert.Single(downstream.Received);
        Assert.DoesNotContain(received.HeaderLines, line => line.Contains("X-Injected", StringComparison.OrdinalIgnoreCase));
        Assert.False(received.Has("Accept"));
        Assert.False(received.Has("If-Match"));
        Assert.False(received.Has("Content-Language"));
        Assert.Equal(["fr"], received.Values("Accept-Language"));
        Assert.Equal(["ok=1"], received.Values("Cookie"));
        var warning = Assert.Single(webservice.Log.Lines, l => l.GetProperty("level").GetString() == "WARN");
        var named = warning.GetProperty("headers").GetString()!;
        Assert.Contains("accept", named, StringComparison.Ordinal);
        Assert.Contains("cookie", named, StringComparison.Ordinal);
        Assert.DoesNotContain("X-Injected", warning.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ANonAsciiHeaderIsDroppedAndCannotTurnTheRequestIntoAFailureOfTheDownstream()
    {
        await using var downstream = RawHttpServer.StartOk();
        using var webservice = new RelayedWebservice(downstream.Address);

        var response = await webservice.InvokeAsync(Invocations.HttpApiEvent(headers: new Dictionary<string, string> { ["accept-language"] = "fr-\u00e9t\u00e9" }));

        Assert.Equal(200, response.GetProperty("statusCode").GetInt32());
        Assert.False(Assert.Single(downstream.Received).Has("Accept-Language"));
        Assert.Empty(webservice.Publisher.Published);
    }

    [Fact]
    public async Task HopByHopHostAndForwardedHeadersAreNotRelayedNorAreHeadersTheConnectionHeaderNames()
    {
        await using var downstream = RawHttpServer.StartOk();
        using var webservice = new RelayedWebservice(downstream.Address);
        var headers = new Dictionary<string, string>
        {
            ["connection"] = "keep-alive, accept-language",
            ["accept-language"] = "fr",
            ["accept"] = "application/json",
            ["keep-alive"] = "timeout=5",
            ["proxy-authorization"] = "Basic eDp5",
            ["te"] = "trailers",
            ["trailer"] = "x-sum",
            ["transfer-encoding"] = "chunked",
            ["upgrade"] = "websocket",
            ["host"] = "evil.test",
            ["x-forwarded-for"] = "10.9.8.7",
            ["x-forwarded-host"] = "evil.test",
            ["x-forwarded-proto"] = "https",
        };

        await webservice.InvokeAsync(Invocations.HttpApiEvent(headers: headers));

        var received = Assert.Single(downstream.Received);
        Assert.Equal(["application/json"], received.Values("Accept"));
        Assert.Equal([downstream.Address.Authority], received.Values("Host"));
        foreach (var name in headers.Keys.Where(n => n is not ("accept" or "host")))
        {
            Assert.False(received.Has(name), $"{name} reached the downstream");
        }
    }

    [Theory]
    [InlineData("M-SEARCH", "M-SEARCH")]
    [InlineData("PROPFIND", "PROPFIND")]
    [InlineData("get", "GET")] // HttpClient writes a lower-case standard method in upper case.
    public async Task AnyMethodTokenIsRelayedRatherThanFailingTheInvocation(string method, string onTheWire)
    {
        await using var downstream = RawHttpServer.StartOk();
        using var webservice = new RelayedWebservice(downstream.Address);

        var response = await webservice.InvokeAsync(Invocations.HttpApiEvent(method: method, path: "/m"));

        Assert.Equal(200, response.GetProperty("statusCode").GetInt32());
        Assert.Equal($"{onTheWire} /m HTTP/1.1", Assert.Single(downstream.Received).RequestLine);
    }

    [Theory]
    [InlineData("CONNECT", 501, "urn:circuit-breaker:problem:method-not-relayed")]
    [InlineData("connect", 501, "urn:circuit-breaker:problem:method-not-relayed")]
    [InlineData("G ET", 400, "urn:circuit-breaker:problem:bad-request")]
    [InlineData("GET\r\nX-Injected: 1", 400, "urn:circuit-breaker:problem:bad-request")]
    [InlineData("GET /x HTTP/1.1", 400, "urn:circuit-breaker:problem:bad-request")]
    public async Task AMethodThatCannotBeRelayedIsAProblemAnswerNotAFailure(string method, int status, string problemType)
    {
        await using var downstream = RawHttpServer.StartOk();
        using var webservice = new RelayedWebservice(downstream.Address);

        var response = await webservice.InvokeAsync(Invocations.HttpApiEvent(method: method));

        Assert.Equal(status, response.GetProperty("statusCode").GetInt32());
        Assert.Equal(problemType, RelayedWebservice.ProblemOf(response).GetProperty("type").GetString());
        Assert.Empty(downstream.Received);
        Assert.Empty(webservice.Publisher.Published);
    }

    [Fact]
    public async Task HeadAnswersWithTheDownstreamsContentLengthEvenAboveTheRelayedBodyLimit()
    {
        await using var downstream = RawHttpServer.Start(_ =>
            Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Type: application/zip\r\nContent-Length: 5000000\r\nConnection: close\r\n\r\n"));
        using var webservice = new RelayedWebservice(downstream.Address);

        var response = await webservice.InvokeAsync(Invocations.HttpApiEvent(method: "HEAD", path: "/big.zip"));

        Assert.Equal(200, response.GetProperty("statusCode").GetInt32());
        Assert.Equal("5000000", response.GetProperty("headers").GetProperty("content-length").GetString());
        Assert.Equal("application/zip", response.GetProperty("headers").GetProperty("content-type").GetString());
        Assert.Empty(RelayedWebservice.BodyBytes(response));
        Assert.Equal("HEAD /big.zip HTTP/1.1", Assert.Single(downstream.Received).RequestLine);
    }
}
