using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CircuitBreaker.Local.HttpApi;
using CircuitBreaker.Local.LambdaService;

namespace CircuitBreaker.Tests.Local.HttpApi;

public sealed class HttpApiGatewayTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ARequestBecomesAPayloadFormat2Event()
    {
        var gateway = new RecordingGateway(Success("""{"statusCode":204}"""));
        await using var server = await gateway.StartAsync();
        using var client = new HttpClient(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = server.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/orders/42?b=2&a=1&a=3&e=%20x")
        {
            Content = new StringContent("""{"item":"tea"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Cookie", "c1=v1; c2=v2");
        request.Headers.TryAddWithoutValidation("X-Custom-Header", "Value");
        request.Headers.TryAddWithoutValidation("User-Agent", "tests/1.0");
        var before = DateTimeOffset.UtcNow;

        using var response = await client.SendAsync(request, Token);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        using var sent = JsonDocument.Parse(gateway.Events.Single());
        var e = sent.RootElement;
        Assert.Equal("2.0", e.GetProperty("version").GetString());
        Assert.Equal("$default", e.GetProperty("routeKey").GetString());
        Assert.Equal("/orders/42", e.GetProperty("rawPath").GetString());
        Assert.Equal("b=2&a=1&a=3&e=%20x", e.GetProperty("rawQueryString").GetString());
        Assert.Equal(["c1=v1", "c2=v2"], e.GetProperty("cookies").EnumerateArray().Select(c => c.GetString()));
        var headers = e.GetProperty("headers");
        Assert.Equal("Value", headers.GetProperty("x-custom-header").GetString());
        Assert.Equal("tests/1.0", headers.GetProperty("user-agent").GetString());
        Assert.False(headers.TryGetProperty("cookie", out _));
        Assert.All(headers.EnumerateObject(), header => Assert.Equal(header.Name.ToLowerInvariant(), header.Name));
        var query = e.GetProperty("queryStringParameters");
        Assert.Equal("1,3", query.GetProperty("a").GetString());
        Assert.Equal("2", query.GetProperty("b").GetString());
        Assert.Equal(" x", query.GetProperty("e").GetString());
        Assert.Equal("""{"item":"tea"}""", e.GetProperty("body").GetString());
        Assert.False(e.GetProperty("isBase64Encoded").GetBoolean());

        var context = e.GetProperty("requestContext");
        Assert.Equal("000000000000", context.GetProperty("accountId").GetString());
        Assert.Equal("local", context.GetProperty("apiId").GetString());
        Assert.Equal("127.0.0.1", context.GetProperty("domainName").GetString());
        Assert.Equal("127", context.GetProperty("domainPrefix").GetString());
        Assert.Equal("$default", context.GetProperty("stage").GetString());
        Assert.Equal("$default", context.GetProperty("routeKey").GetString());
        Assert.Equal(response.Headers.GetValues("apigw-requestid").Single(), context.GetProperty("requestId").GetString());
        var http = context.GetProperty("http");
        Assert.Equal("POST", http.GetProperty("method").GetString());
        Assert.Equal("/orders/42", http.GetProperty("path").GetString());
        Assert.Equal("HTTP/1.1", http.GetProperty("protocol").GetString());
        Assert.Equal("127.0.0.1", http.GetProperty("sourceIp").GetString());
        Assert.Equal("tests/1.0", http.GetProperty("userAgent").GetString());
        var epoch = DateTimeOffset.FromUnixTimeMilliseconds(context.GetProperty("timeEpoch").GetInt64());
        Assert.InRange(epoch, before.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.Equal(epoch.UtcDateTime.ToString("dd/MMM/yyyy:HH:mm:ss +0000", System.Globalization.CultureInfo.InvariantCulture),
            context.GetProperty("time").GetString());
    }

    [Fact]
    public async Task ABinaryBodyIsSentAsBase64AndAnEmptyOneIsLeftOut()
    {
        var gateway = new RecordingGateway(Success("{}"));
        await using var server = await gateway.StartAsync();
        using var client = new HttpClient { BaseAddress = server.BaseAddress };
        byte[] bytes = [0, 1, 2, 250, 255];
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");

        (await client.PutAsync("/blob", content, Token)).Dispose();
        (await client.SendAsync(new HttpRequestMessage(new HttpMethod("PURGE"), "/cache"), Token)).Dispose();

        using var binary = JsonDocument.Parse(gateway.Events[0]);
        Assert.True(binary.RootElement.GetProperty("isBase64Encoded").GetBoolean());
        Assert.Equal(bytes, Convert.FromBase64String(binary.RootElement.GetProperty("body").GetString()!));
        using var empty = JsonDocument.Parse(gateway.Events[1]);
        Assert.False(empty.RootElement.TryGetProperty("body", out _));
        Assert.False(empty.RootElement.TryGetProperty("cookies", out _));
        Assert.False(empty.RootElement.TryGetProperty("queryStringParameters", out _));
        Assert.Equal("PURGE", empty.RootElement.GetProperty("requestContext").GetProperty("http").GetProperty("method").GetString());
    }

    [Theory]
    [InlineData("text/plain; charset=utf-8", true)]
    [InlineData("application/json", true)]
    [InlineData("application/problem+json", true)]
    [InlineData("application/xml", true)]
    [InlineData("application/x-www-form-urlencoded", false)]
    [InlineData("image/png", false)]
    [InlineData(null, false)]
    public void TextContentTypesAreNotEncoded(string? contentType, bool isText)
    {
        Assert.Equal(isText, HttpApiRequestTranslator.IsText(contentType));
    }

    [Fact]
    public async Task AStructuredResponseSetsStatusHeadersCookiesAndBody()
    {
        var gateway = new RecordingGateway(Success("""
            {"statusCode":201,"headers":{"x-answer":"42","content-type":"text/plain","x-flag":true},
             "cookies":["session=abc; Path=/; HttpOnly","theme=dark"],"body":"created","isBase64Encoded":false}
            """));
        await using var server = await gateway.StartAsync();
        using var client = new HttpClient(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = server.BaseAddress };

        using var response = await client.GetAsync("/", Token);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("42", response.Headers.GetValues("x-answer").Single());
        Assert.Equal("true", response.Headers.GetValues("x-flag").Single());
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(["session=abc; Path=/; HttpOnly", "theme=dark"], response.Headers.GetValues("Set-Cookie"));
        Assert.Equal("created", await response.Content.ReadAsStringAsync(Token));
    }

    [Fact]
    public async Task ABase64ResponseBodyIsDecoded()
    {
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0, 255];
        var gateway = new RecordingGateway(Success(
            $$"""{"statusCode":200,"headers":{"content-type":"image/png"},"body":"{{Convert.ToBase64String(png)}}","isBase64Encoded":true}"""));
        await using var server = await gateway.StartAsync();
        using var client = new HttpClient { BaseAddress = server.BaseAddress };

        var body = await client.GetByteArrayAsync("/logo.png", Token);

        Assert.Equal(png, body);
    }

    [Theory]
    [InlineData("""{"hello":"world"}""")]
    [InlineData("[1,2,3]")]
    [InlineData("\"just text\"")]
    [InlineData("{\"statuscode\":404}")]
    public async Task AnyOtherJsonIsA200JsonBody(string payload)
    {
        var gateway = new RecordingGateway(Success(payload));
        await using var server = await gateway.StartAsync();
        using var client = new HttpClient { BaseAddress = server.BaseAddress };

        using var response = await client.GetAsync("/", Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(payload, await response.Content.ReadAsStringAsync(Token));
    }

    [Theory]
    [InlineData("not json", 500, "Internal Server Error")]
    [InlineData("""{"statusCode":"abc"}""", 500, "Internal Server Error")]
    [InlineData("""{"statusCode":700}""", 500, "Internal Server Error")]
    [InlineData("""{"statusCode":200,"body":"%%%","isBase64Encoded":true}""", 500, "Internal Server Error")]
    public async Task AnUnreadableResponseIsApiGateways500(string payload, int status, string message)
    {
        var gateway = new RecordingGateway(Success(payload));
        await using var server = await gateway.StartAsync();

        await AssertGatewayMessageAsync(server, status, message);
    }

    [Theory]
    [InlineData("FunctionError", 500, "Internal Server Error")]
    [InlineData("Timeout", 500, "Internal Server Error")]
    [InlineData("NoInstance", 503, "Service Unavailable")]
    public async Task FailedInvocationsBecomeApiGatewaysErrors(string outcome, int status, string message)
    {
        var gateway = new RecordingGateway(new InvocationResult("id", Enum.Parse<InvocationOutcome>(outcome), """{"errorMessage":"x","errorType":"y"}"""u8.ToArray(), "y", TimeSpan.Zero));
        await using var server = await gateway.StartAsync();

        await AssertGatewayMessageAsync(server, status, message);
    }

    [Fact]
    public async Task NoAnswerWithinTheIntegrationTimeoutIs503()
    {
        var gateway = new RecordingGateway(null) { Options = new HttpApiGatewayOptions(IntegrationTimeout: TimeSpan.FromMilliseconds(300)) };
        await using var server = await gateway.StartAsync();

        await AssertGatewayMessageAsync(server, 503, "Service Unavailable");
    }

    [Fact]
    public async Task ABodyOverTenMegabytesIs413WithoutInvoking()
    {
        var gateway = new RecordingGateway(Success("{}"));
        await using var server = await gateway.StartAsync();
        using var client = new HttpClient { BaseAddress = server.BaseAddress };
        using var content = new ByteArrayContent(new byte[HttpApiGatewayOptions.MaxRequestBodyBytes + 1]);

        using var response = await client.PostAsync("/upload", content, Token);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Empty(gateway.Events);
        Assert.Equal(413, gateway.Summaries.Single().StatusCode);
        Assert.Null(gateway.Summaries.Single().Outcome);
    }

    [Fact]
    public async Task AChunkedBodyOverTenMegabytesIs413Too()
    {
        var gateway = new RecordingGateway(Success("{}"));
        await using var server = await gateway.StartAsync();
        using var client = new HttpClient { BaseAddress = server.BaseAddress };
        using var content = new StreamContent(new MemoryStream(new byte[HttpApiGatewayOptions.MaxRequestBodyBytes + 1]));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/upload") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await client.SendAsync(request, Token);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Empty(gateway.Events);
    }

    [Fact]
    public async Task AnEventOverLambdasSixMegabytesIs413WithoutInvoking()
    {
        var gateway = new RecordingGateway(Success("{}"));
        await using var server = await gateway.StartAsync();
        using var client = new HttpClient { BaseAddress = server.BaseAddress };
        using var content = new ByteArrayContent(new byte[5 * 1024 * 1024]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");

        using var response = await client.PostAsync("/upload", content, Token);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Empty(gateway.Events);
    }

    [Fact]
    public async Task EveryRequestIsSummarised()
    {
        var gateway = new RecordingGateway(Success("""{"statusCode":418}"""));
        await using var server = await gateway.StartAsync();
        using var client = new HttpClient { BaseAddress = server.BaseAddress };

        using var response = await client.DeleteAsync("/pot", Token);

        var summary = gateway.Summaries.Single();
        Assert.Equal(("DELETE", "/pot", 418, InvocationOutcome.Success), (summary.Method, summary.Path, summary.StatusCode, summary.Outcome));
        Assert.Equal(response.Headers.GetValues("apigw-requestid").Single(), summary.RequestId);
    }

    private static InvocationResult Success(string payload) =>
        new("id", InvocationOutcome.Success, Encoding.UTF8.GetBytes(payload), null, TimeSpan.Zero);

    private static async Task AssertGatewayMessageAsync(HttpApiGateway server, int status, string message)
    {
        using var client = new HttpClient { BaseAddress = server.BaseAddress };
        using var response = await client.GetAsync("/", Token);
        Assert.Equal(status, (int)response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Token));
        Assert.Equal(message, body.RootElement.GetProperty("message").GetString());
    }
}
