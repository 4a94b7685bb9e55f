using System.Text.Json;
using CircuitBreaker.Tests.Support;

namespace CircuitBreaker.Tests.Local.HttpApi;

/// <summary>
/// Request lines a browser never sends, written on a raw socket: the local HTTP API relays what has a path (any
/// RFC 9110 method token, the path of an absolute-form target) and answers 400 to what has none; never a 500.
/// </summary>
public sealed class OddRequestLineTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public static TheoryData<string, string, string, string> Relayed => new()
    {
        // request line, method in the event, rawPath, rawQueryString
        { "GET http://{host}/orders/42?x=1 HTTP/1.1", "GET", "/orders/42", "x=1" },
        { "GET http://{host} HTTP/1.1", "GET", "/", "" },
        { "GET http://{host}?q=2 HTTP/1.1", "GET", "/", "q=2" },
        { "M-SEARCH / HTTP/1.1", "M-SEARCH", "/", "" },
        { "get /lower HTTP/1.1", "get", "/lower", "" },
    };

    [Theory]
    [MemberData(nameof(Relayed))]
    public async Task ARequestLineWithAPathIsRelayedWithThePathOnly(string requestLine, string method, string rawPath, string rawQuery)
    {
        var gateway = new RecordingGateway(RecordingGateway.Success("""{"statusCode":200,"body":"ok"}"""));
        await using var server = await gateway.StartAsync();

        var response = await RawHttpExchange.SendAsync(server.BaseAddress, requestLine.Replace("{host}", $"127.0.0.1:{server.BaseAddress.Port}", StringComparison.Ordinal), Token);

        Assert.Equal(200, response.StatusCode);
        using var sent = JsonDocument.Parse(Assert.Single(gateway.Events));
        Assert.Equal(rawPath, sent.RootElement.GetProperty("rawPath").GetString());
        Assert.Equal(rawQuery, sent.RootElement.GetProperty("rawQueryString").GetString());
        var http = sent.RootElement.GetProperty("requestContext").GetProperty("http");
        Assert.Equal(method, http.GetProperty("method").GetString());
        Assert.Equal(rawPath, http.GetProperty("path").GetString());
    }

    // Kestrel itself answers 405 to the asterisk form with any method but OPTIONS; the gateway answers OPTIONS * with 400.
    [Theory]
    [InlineData("OPTIONS * HTTP/1.1", 400)]
    [InlineData("M-SEARCH * HTTP/1.1", 405)]
    public async Task ARequestLineWithoutAPathIsA4xxAndNeverReachesTheFunction(string requestLine, int status)
    {
        var gateway = new RecordingGateway(RecordingGateway.Success("""{"statusCode":200}"""));
        await using var server = await gateway.StartAsync();

        var response = await RawHttpExchange.SendAsync(server.BaseAddress, requestLine, Token);

        Assert.Equal(status, response.StatusCode);
        Assert.Empty(gateway.Events);
    }

    [Fact]
    public async Task HeadAnswersWithTheContentLengthTheFunctionGaveForTheEmptyBody()
    {
        var gateway = new RecordingGateway(RecordingGateway.Success(
            """{"statusCode":200,"headers":{"content-type":"text/plain","content-length":"1234"},"body":""}"""));
        await using var server = await gateway.StartAsync();

        var response = await RawHttpExchange.SendAsync(server.BaseAddress, "HEAD /file HTTP/1.1", Token);

        Assert.Equal(200, response.StatusCode);
        Assert.Equal("1234", response.Headers["Content-Length"]);
        Assert.Empty(response.Body);
    }
}
