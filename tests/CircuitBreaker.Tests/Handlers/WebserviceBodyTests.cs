using System.Text;
using CircuitBreaker.Tests.Support;

namespace CircuitBreaker.Tests.Handlers;

/// <summary>Bodies cross the webservice byte for byte in both directions, whatever their content type says.</summary>
public sealed class WebserviceBodyTests
{
    // Not UTF-8: a lone continuation byte, an invalid lead, NUL, a Latin-1 'é' (E9) and a truncated sequence.
    private static readonly byte[] NotUtf8 = [0x80, 0xFF, 0xFE, 0x00, (byte)'a', 0xE9, (byte)'t', 0xE9, 0xC3];

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/json")]
    [InlineData("text/plain; charset=iso-8859-1")]
    [InlineData("application/octet-stream")]
    public async Task ABase64RequestBodyReachesTheDownstreamExactlyAndItsAnswerComesBackExactly(string contentType)
    {
        await using var downstream = RawHttpServer.Start(request => RawHttpServer.Response(200, contentType, request.Body));
        using var webservice = new RelayedWebservice(downstream.Address);

        var response = await webservice.InvokeAsync(Invocations.HttpApiEvent(
            method: "POST", body: Convert.ToBase64String(NotUtf8), base64: true, headers: new Dictionary<string, string> { ["content-type"] = contentType }));

        var received = Assert.Single(downstream.Received);
        Assert.Equal(NotUtf8, received.Body);
        Assert.Equal([contentType], received.Values("Content-Type"));
        Assert.Equal(200, response.GetProperty("statusCode").GetInt32());
        Assert.True(response.GetProperty("isBase64Encoded").GetBoolean());
        Assert.Equal(NotUtf8, RelayedWebservice.BodyBytes(response));
    }

    [Fact]
    public async Task ATextBodyIsSentAsItsUtf8BytesAndUtf8TextComesBackAsText()
    {
        const string text = "h\u00e9llo \u2713 \U0001F600";
        await using var downstream = RawHttpServer.Start(request => RawHttpServer.Response(200, "text/plain; charset=utf-8", request.Body));
        using var webservice = new RelayedWebservice(downstream.Address);

        var response = await webservice.InvokeAsync(Invocations.HttpApiEvent(method: "PUT", body: text, headers: new Dictionary<string, string> { ["content-type"] = "text/plain" }));

        Assert.Equal(Encoding.UTF8.GetBytes(text), Assert.Single(downstream.Received).Body);
        Assert.False(response.GetProperty("isBase64Encoded").GetBoolean());
        Assert.Equal(text, response.GetProperty("body").GetString());
    }

    [Fact]
    public async Task ACompressedAnswerKeepsItsContentEncodingSinceItsBytesAreRelayedUnchanged()
    {
        byte[] gzipped = [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00];
        await using var downstream = RawHttpServer.Start(_ => RawHttpServer.Response(200, "application/json", gzipped, "Content-Encoding: gzip"));
        using var webservice = new RelayedWebservice(downstream.Address);

        var response = await webservice.InvokeAsync(Invocations.HttpApiEvent());

        Assert.Equal("gzip", response.GetProperty("headers").GetProperty("content-encoding").GetString());
        Assert.Equal(gzipped, RelayedWebservice.BodyBytes(response));
    }
}
