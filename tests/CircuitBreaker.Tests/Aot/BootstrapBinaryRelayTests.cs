using System.Text.Json;
using CircuitBreaker.Contract;
using CircuitBreaker.Local.LambdaService;
using CircuitBreaker.Tests.Support;

namespace CircuitBreaker.Tests.Aot;

/// <summary>The relay's rules hold in the published binary too: what trimming or AOT could change is tested here.</summary>
public sealed partial class BootstrapBinaryTests
{
    private async Task<JsonElement> RelayAsync(string httpApiEvent, BootstrapProcess process)
    {
        var outcome = await _runtimeApi.Enqueue(httpApiEvent).WaitAsync(AnswerBound, TestContext.Current.CancellationToken);
        Assert.True(outcome.Outcome == InvocationOutcome.Success, $"{outcome.BodyText()}\n{process.Output}");
        return JsonDocument.Parse(outcome.Payload).RootElement.Clone();
    }

    [Fact]
    public async Task TheBinaryKeepsNoCookieBetweenClients()
    {
        await using var downstream = RawHttpServer.Start(_ => RawHttpServer.Response(200, "text/plain", "hi"u8.ToArray(), "Set-Cookie: session=alice-secret; Path=/"));
        using var process = new BootstrapProcess(RequireBinary(), LambdaEnvironment(HandlerNames.Webservice, downstream.Address));

        var alice = await RelayAsync(Invocations.HttpApiEvent(cookies: ["a=1"]), process);
        await RelayAsync(Invocations.HttpApiEvent(), process);

        Assert.Equal("session=alice-secret; Path=/", alice.GetProperty("cookies")[0].GetString());
        Assert.Equal(["a=1"], downstream.Received[0].Values("Cookie"));
        Assert.Empty(downstream.Received[1].Values("Cookie"));
    }

    [Fact]
    public async Task TheBinaryRelaysARedirectWithoutFollowingIt()
    {
        await using var elsewhere = RawHttpServer.StartOk();
        var location = new Uri(elsewhere.Address, "/steal").AbsoluteUri;
        await using var downstream = RawHttpServer.Start(_ => RawHttpServer.Response(307, null, [], $"Location: {location}"));
        using var process = new BootstrapProcess(RequireBinary(), LambdaEnvironment(HandlerNames.Webservice, downstream.Address));

        var response = await RelayAsync(Invocations.HttpApiEvent(method: "POST", body: "secret", cookies: ["s=1"]), process);

        Assert.Equal(307, response.GetProperty("statusCode").GetInt32());
        Assert.Equal(location, response.GetProperty("headers").GetProperty("location").GetString());
        Assert.Empty(elsewhere.Received);
    }

    [Fact]
    public async Task TheBinaryKeepsEveryRequestUnderTheBasePath()
    {
        await using var downstream = RawHttpServer.StartOk();
        using var process = new BootstrapProcess(RequireBinary(), LambdaEnvironment(HandlerNames.Webservice, new Uri(downstream.Address, "/base/")));
        string[] escapes = ["/../../secret", "/%2e%2e/%2e%2e/secret", "/.%2e/.%2e/up", "/a\\..\\..\\x", "/%252E%252E/secret", "/..%2Fsecret", "/..;/secret", "/\uff0e\uff0e/secret"];

        foreach (var path in escapes)
        {
            var refused = await RelayAsync(Invocations.HttpApiEvent(path: path), process);
            Assert.True(refused.GetProperty("statusCode").GetInt32() == 400, $"{path}: {refused}");
        }

        var accepted = await RelayAsync(Invocations.HttpApiEvent(path: "/caf%C3%A9/%41", query: "q=a b"), process);

        Assert.Equal(200, accepted.GetProperty("statusCode").GetInt32());
        Assert.Equal("/base/caf%C3%A9/%41?q=a%20b", Assert.Single(downstream.Received).Target);
    }

    [Fact]
    public async Task TheBinaryRelaysBinaryBodiesByteForByteAndDropsInjectedHeaders()
    {
        byte[] notUtf8 = [0x80, 0xFF, 0x00, (byte)'a', 0xE9, 0xC3];
        await using var downstream = RawHttpServer.Start(request => RawHttpServer.Response(200, "text/plain; charset=iso-8859-1", request.Body));
        using var process = new BootstrapProcess(RequireBinary(), LambdaEnvironment(HandlerNames.Webservice, downstream.Address));
        var headers = new Dictionary<string, string> { ["content-type"] = "text/plain", ["accept"] = "a\r\nX-Injected: yes" };

        var response = await RelayAsync(Invocations.HttpApiEvent(method: "M-SEARCH", body: Convert.ToBase64String(notUtf8), base64: true, headers: headers), process);

        var received = Assert.Single(downstream.Received);
        Assert.StartsWith("M-SEARCH ", received.RequestLine, StringComparison.Ordinal);
        Assert.Equal(notUtf8, received.Body);
        Assert.DoesNotContain(received.HeaderLines, line => line.Contains("X-Injected", StringComparison.Ordinal));
        Assert.True(response.GetProperty("isBase64Encoded").GetBoolean());
        Assert.Equal(notUtf8, Convert.FromBase64String(response.GetProperty("body").GetString()!));
    }

    [Fact]
    public async Task ADownstreamUrlWithCredentialsIsAnInitErrorAndThePasswordIsPrintedNowhere()
    {
        var environment = LambdaEnvironment(HandlerNames.Webservice, new Uri("http://127.0.0.1:9/"));
        environment["DOWNSTREAM_URL"] = "http://svc:hunter2@127.0.0.1:9/base/";
        var waiting = _runtimeApi.Enqueue(Invocations.HttpApiEvent());
        using var process = new BootstrapProcess(RequireBinary(), environment);

        var initError = await waiting.WaitAsync(AnswerBound, TestContext.Current.CancellationToken);
        Assert.True(await process.WaitForExitAsync(AnswerBound), process.Output);

        Assert.Equal(InvocationOutcome.FunctionError, initError.Outcome);
        Assert.Contains("must not contain user information", initError.Error().ErrorMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", initError.Error().ErrorMessage + process.Output, StringComparison.Ordinal);
        Assert.Equal(1, process.ExitCode);
    }
}
