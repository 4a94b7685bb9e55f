using System.Collections.Concurrent;
using System.Net.Http.Headers;
using CircuitBreaker.Tests.Support;
using Microsoft.AspNetCore.Http;

namespace CircuitBreaker.Tests.EndToEnd;

/// <summary>
/// Through the whole local system (HTTP API, the real webservice through its runtime loop) to a loopback echo
/// downstream: request bodies arrive byte for byte whatever their content type, and an absolute-form request line
/// reaches the downstream with its path.
/// </summary>
[Collection(WholeSystemTests.Name)]
public sealed class LocalHttpApiRelayTests
{
    private static readonly byte[] NotUtf8 = [0x80, 0x61, 0xC3, 0x28, 0xFF, 0xFE, 0x62, 0xC3, 0xA9, 0xE9];

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/json")]
    [InlineData("text/plain; charset=iso-8859-1")]
    public async Task ANonUtf8BodyReachesTheDownstreamByteForByteAndComesBackSo(string contentType)
    {
        var echo = new EchoDownstream();
        await using var downstream = await CountingHttpServer.StartAsync(echo.HandleAsync);
        await using var stack = await InProcessLocalHost.StartAsync("--downstream", downstream.Address.AbsoluteUri);
        using var content = new ByteArrayContent(NotUtf8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);

        using var response = await stack.Http.PostAsync("/upload", content, Token);

        var received = Assert.Single(echo.Requests);
        Assert.Equal(NotUtf8, received.Body);
        Assert.Equal(contentType, received.ContentType);
        Assert.Equal(NotUtf8, await response.Content.ReadAsByteArrayAsync(Token));
    }

    [Fact]
    public async Task AnAbsoluteFormRequestLineReachesTheDownstreamWithItsPathOnly()
    {
        var echo = new EchoDownstream();
        await using var downstream = await CountingHttpServer.StartAsync(echo.HandleAsync);
        await using var stack = await InProcessLocalHost.StartAsync("--downstream", downstream.Address.AbsoluteUri);
        var api = stack.System.Api.BaseAddress;

        var response = await RawHttpExchange.SendAsync(api, $"GET http://127.0.0.1:{api.Port}/orders/42?x=1 HTTP/1.1", Token);

        Assert.Equal(200, response.StatusCode);
        var received = Assert.Single(echo.Requests);
        Assert.Equal("/orders/42?x=1", received.Target);
    }

    /// <summary>Keeps each request and answers with its body as application/octet-stream.</summary>
    private sealed class EchoDownstream
    {
        private readonly ConcurrentQueue<Received> _requests = new();

        public IReadOnlyList<Received> Requests => [.. _requests];

        public async Task HandleAsync(HttpContext context)
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, context.RequestAborted);
            _requests.Enqueue(new Received(context.Request.Path + context.Request.QueryString, context.Request.ContentType, body.ToArray()));
            context.Response.ContentType = "application/octet-stream";
            context.Response.ContentLength = body.Length;
            await context.Response.Body.WriteAsync(body.ToArray(), context.RequestAborted);
        }
    }

    private sealed record Received(string Target, string? ContentType, byte[] Body);
}
