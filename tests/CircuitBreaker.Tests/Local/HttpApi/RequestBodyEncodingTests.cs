using System.Net.Http.Headers;
using System.Text.Json;

namespace CircuitBreaker.Tests.Local.HttpApi;

/// <summary>The event carries the request body byte for byte: as text only when it is UTF-8 under a text type, else base64.</summary>
public sealed class RequestBodyEncodingTests
{
    // Invalid UTF-8 (a lone continuation byte, an overlong lead, 0xFF) around plain ASCII and a valid "é".
    private static readonly byte[] NotUtf8 = [0x80, 0x61, 0xC3, 0x28, 0xFF, 0xFE, 0x62, 0xC3, 0xA9, 0xE9];

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/json")]
    [InlineData("text/plain; charset=iso-8859-1")]
    public async Task ATextTypedBodyThatIsNotUtf8GoesAsBase64WithEveryByte(string contentType)
    {
        var gateway = new RecordingGateway(RecordingGateway.Success("""{"statusCode":204}"""));
        await using var server = await gateway.StartAsync();
        using var client = new HttpClient { BaseAddress = server.BaseAddress };
        using var content = new ByteArrayContent(NotUtf8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);

        using var response = await client.PostAsync("/upload", content, Token);

        using var sent = JsonDocument.Parse(Assert.Single(gateway.Events));
        Assert.True(sent.RootElement.GetProperty("isBase64Encoded").GetBoolean());
        Assert.Equal(NotUtf8, Convert.FromBase64String(sent.RootElement.GetProperty("body").GetString()!));
    }

    [Fact]
    public async Task AUtf8TextBodyStillGoesAsText()
    {
        var gateway = new RecordingGateway(RecordingGateway.Success("""{"statusCode":204}"""));
        await using var server = await gateway.StartAsync();
        using var client = new HttpClient { BaseAddress = server.BaseAddress };
        using var content = new StringContent("café ✓", System.Text.Encoding.UTF8, "text/plain");

        using var response = await client.PostAsync("/note", content, Token);

        using var sent = JsonDocument.Parse(Assert.Single(gateway.Events));
        Assert.False(sent.RootElement.GetProperty("isBase64Encoded").GetBoolean());
        Assert.Equal("café ✓", sent.RootElement.GetProperty("body").GetString());
    }

    [Fact]
    public async Task ABase64ResponseBodyIsDecodedExactly()
    {
        var gateway = new RecordingGateway(RecordingGateway.Success(
            $$"""{"statusCode":200,"headers":{"content-type":"text/plain; charset=iso-8859-1"},"body":"{{Convert.ToBase64String(NotUtf8)}}","isBase64Encoded":true}"""));
        await using var server = await gateway.StartAsync();
        using var client = new HttpClient { BaseAddress = server.BaseAddress };

        var body = await client.GetByteArrayAsync("/latin1", Token);

        Assert.Equal(NotUtf8, body);
    }
}
