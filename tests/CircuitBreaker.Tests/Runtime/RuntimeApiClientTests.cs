using System.Net;
using System.Text;
using CircuitBreaker.Core.Configuration;
using CircuitBreaker.Functions.Configuration;
using CircuitBreaker.Functions.Runtime;
using CircuitBreaker.Tests.Support;

namespace CircuitBreaker.Tests.Runtime;

public sealed class RuntimeApiClientTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly HttpClient _http = RuntimeApiClient.CreateHttpClient();
    private LoopbackRuntimeApi _api = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _api = await LoopbackRuntimeApi.StartAsync();

    public async ValueTask DisposeAsync()
    {
        await _api.DisposeAsync();
        _http.Dispose();
    }

    [Fact]
    public async Task NextInvocationCarriesTheHeadersAndTheEventBytes()
    {
        var deadline = DateTimeOffset.FromUnixTimeMilliseconds(1_893_456_000_123);
        var payload = Encoding.UTF8.GetBytes("""{"rawPath":"/orders","body":"é\u0000"}""");
        _api.Enqueue(payload, "req-1", deadline, "Root=1-5e1b4151-5ac6c58f5b5dbd6a7c9d3e2f;Sampled=1", "arn:aws:lambda:eu-west-1:111122223333:function:webservice");

        var invocation = await Client().GetNextInvocationAsync(Ct);

        Assert.Equal("req-1", invocation.RequestId);
        Assert.Equal(deadline, invocation.Deadline);
        Assert.Equal("Root=1-5e1b4151-5ac6c58f5b5dbd6a7c9d3e2f;Sampled=1", invocation.TraceId);
        Assert.Equal("arn:aws:lambda:eu-west-1:111122223333:function:webservice", invocation.FunctionArn);
        Assert.Equal(payload, invocation.Payload.ToArray());
    }

    [Fact]
    public async Task NextInvocationWaitsUntilOneIsQueued()
    {
        var client = Client();
        var next = client.GetNextInvocationAsync(Ct);
        await WaitUntilAsync(() => _api.NextPollCount == 1);
        Assert.False(next.IsCompleted);

        _api.Enqueue("{}", "late");

        Assert.Equal("late", (await next.WaitAsync(Patience, Ct)).RequestId);
    }

    [Fact]
    public async Task ResponseIsPostedWithTheExactBytes()
    {
        var queued = _api.Enqueue("{}");
        var client = Client();
        var invocation = await client.GetNextInvocationAsync(Ct);
        var response = Encoding.UTF8.GetBytes("""{"statusCode":200,"body":"ok \u2713"}""");

        await client.PostResponseAsync(invocation.RequestId, response, Ct);

        var outcome = await queued.WaitAsync(Patience, Ct);
        Assert.Equal(OutcomeKind.Response, outcome.Kind);
        Assert.Equal(response, outcome.Body);
        Assert.Equal("application/json", outcome.ContentType);
    }

    [Fact]
    public async Task ErrorIsPostedWithItsCategoryHeaderAndLambdasErrorDocument()
    {
        var queued = _api.Enqueue("{}");
        var client = Client();
        var invocation = await client.GetNextInvocationAsync(Ct);

        await client.PostErrorAsync(invocation.RequestId, Thrown(new InvalidOperationException("downstream said no")), Ct);

        var outcome = await queued.WaitAsync(Patience, Ct);
        Assert.Equal(OutcomeKind.Error, outcome.Kind);
        Assert.Equal(LambdaErrorTypes.UnhandledException, outcome.FunctionErrorType);
        Assert.Equal(RuntimeApiClient.ErrorContentType, outcome.ContentType);
        Assert.Equal("downstream said no", outcome.Error.ErrorMessage);
        Assert.Equal(nameof(InvalidOperationException), outcome.Error.ErrorType);
        Assert.Contains(outcome.Error.StackTrace, frame => frame.Contains(nameof(Thrown), StringComparison.Ordinal));
    }

    [Fact]
    public async Task InvalidEventIsReportedAsRuntimeInvalidEvent()
    {
        var queued = _api.Enqueue("not json");
        var client = Client();
        var invocation = await client.GetNextInvocationAsync(Ct);

        await client.PostErrorAsync(invocation.RequestId, new InvalidEventException("body is not JSON"), Ct);

        var outcome = await queued.WaitAsync(Patience, Ct);
        Assert.Equal(LambdaErrorTypes.InvalidEvent, outcome.FunctionErrorType);
        Assert.Equal(nameof(InvalidEventException), outcome.Error.ErrorType);
        Assert.Empty(outcome.Error.StackTrace);
    }

    [Fact]
    public async Task InitErrorIsPostedToInitErrorWithEveryConfigurationProblem()
    {
        var problem1 = "TABLE_NAME is missing.";
        var problem2 = "failureThreshold is 'x': expected a positive integer.";

        await Client().PostInitErrorAsync(new FunctionConfigurationException([problem1, problem2]), Ct);

        var initError = await _api.InitError.WaitAsync(Patience, Ct);
        Assert.Equal(LambdaErrorTypes.ConfigurationError, initError.FunctionErrorType);
        Assert.Equal(nameof(FunctionConfigurationException), initError.Error.ErrorType);
        Assert.Contains(problem1, initError.Error.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains(problem2, initError.Error.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RequestIdWithReservedCharactersIsEscapedInThePath()
    {
        const string oddId = "a/b c?d=1&e#f%25g+h";
        var queued = _api.Enqueue("{}", oddId);
        var client = Client();
        var invocation = await client.GetNextInvocationAsync(Ct);
        Assert.Equal(oddId, invocation.RequestId);

        await client.PostResponseAsync(invocation.RequestId, "\"done\""u8.ToArray(), Ct);

        var outcome = await queued.WaitAsync(Patience, Ct);
        Assert.Equal(oddId, outcome.RequestId);
        Assert.Equal("\"done\"", outcome.BodyText);
    }

    [Fact]
    public async Task AddressWithAPathPrefixReachesTheApiUnderThatPrefix()
    {
        await using var prefixed = await LoopbackRuntimeApi.StartAsync(pathPrefix: "functions/recorder");
        var queued = prefixed.Enqueue("{}");
        var client = new RuntimeApiClient(_http, prefixed.Address);
        Assert.EndsWith("/functions/recorder/2018-06-01/", client.BaseAddress.AbsoluteUri, StringComparison.Ordinal);

        var invocation = await client.GetNextInvocationAsync(Ct);
        await client.PostResponseAsync(invocation.RequestId, "{}"u8.ToArray(), Ct);

        Assert.Equal(OutcomeKind.Response, (await queued.WaitAsync(Patience, Ct)).Kind);
    }

    [Fact]
    public async Task Status500OnNextIsFatal()
    {
        _api.EnqueueFault(HttpStatusCode.InternalServerError, "Runtime.ContainerError", "sandbox broken");

        var fatal = await Assert.ThrowsAsync<RuntimeApiFatalException>(() => Client().GetNextInvocationAsync(Ct));

        Assert.Contains("sandbox broken", fatal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status403OnNextIsARefusalNotFatal()
    {
        _api.EnqueueFault(HttpStatusCode.Forbidden, "Runtime.Forbidden", "not now");

        var refusal = await Assert.ThrowsAsync<RuntimeApiException>(() => Client().GetNextInvocationAsync(Ct));

        Assert.Equal(HttpStatusCode.Forbidden, refusal.StatusCode);
        Assert.Equal("Runtime.Forbidden", refusal.ErrorType);
    }

    [Fact]
    public async Task OversizedResponseGets413AndTheInvocationStaysOpenForAnError()
    {
        await using var small = await LoopbackRuntimeApi.StartAsync(maxResponseBytes: 16);
        var queued = small.Enqueue("{}");
        var client = new RuntimeApiClient(_http, small.Address);
        var invocation = await client.GetNextInvocationAsync(Ct);

        var refusal = await Assert.ThrowsAsync<RuntimeApiException>(
            () => client.PostResponseAsync(invocation.RequestId, new byte[17], Ct));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refusal.StatusCode);
        Assert.False(queued.Outcome.IsCompleted);

        await client.PostErrorAsync(invocation.RequestId, new ResponseTooLargeException(17, refusal), Ct);
        Assert.Equal(LambdaErrorTypes.ResponseSizeTooLarge, (await queued.WaitAsync(Patience, Ct)).FunctionErrorType);
    }

    [Fact]
    public async Task SecondAnswerForOneInvocationIsRefused()
    {
        _api.Enqueue("{}", "once");
        var client = Client();
        await client.GetNextInvocationAsync(Ct);
        await client.PostResponseAsync("once", "{}"u8.ToArray(), Ct);

        var refusal = await Assert.ThrowsAsync<RuntimeApiException>(() => client.PostErrorAsync("once", new InvalidOperationException(), Ct));

        Assert.Equal(HttpStatusCode.Forbidden, refusal.StatusCode);
    }

    [Fact]
    public async Task InvocationWithoutADeadlineIsMalformedAndKeepsItsRequestId()
    {
        _api.EnqueueRaw(new Dictionary<string, string> { ["Lambda-Runtime-Aws-Request-Id"] = "no-deadline" }, "{}"u8.ToArray());

        var malformed = await Assert.ThrowsAsync<MalformedInvocationException>(() => Client().GetNextInvocationAsync(Ct));

        Assert.Equal("no-deadline", malformed.RequestId);
    }

    [Fact]
    public async Task InvocationWithoutARequestIdIsMalformed()
    {
        _api.EnqueueRaw(new Dictionary<string, string> { ["Lambda-Runtime-Deadline-Ms"] = "1893456000000" }, "{}"u8.ToArray());

        var malformed = await Assert.ThrowsAsync<MalformedInvocationException>(() => Client().GetNextInvocationAsync(Ct));

        Assert.Null(malformed.RequestId);
    }

    [Fact]
    public async Task UnreachableRuntimeApiSurfacesAsHttpRequestException()
    {
        var address = _api.Address;
        await _api.StopAsync();

        await Assert.ThrowsAsync<HttpRequestException>(() => new RuntimeApiClient(_http, address).GetNextInvocationAsync(Ct));
    }

    [Theory]
    [InlineData("")]
    [InlineData("http://127.0.0.1:9001")]
    [InlineData("127.0.0.1:9001?x=1")]
    [InlineData("127.0.0.1:notaport")]
    public void AddressThatIsNotHostPortIsAConfigurationError(string address)
    {
        var error = Assert.Throws<FunctionConfigurationException>(() => new RuntimeApiClient(_http, address));

        Assert.Contains("AWS_LAMBDA_RUNTIME_API", Assert.Single(error.Problems), StringComparison.Ordinal);
    }

    [Fact]
    public void HttpClientWithATimeoutIsRejectedBecauseNextLongPolls()
    {
        using var withTimeout = new HttpClient();

        Assert.Throws<ArgumentException>(() => new RuntimeApiClient(withTimeout, "127.0.0.1:9001"));
    }

    private RuntimeApiClient Client() => new(_http, _api.Address);

    private static Exception Thrown(Exception error)
    {
        try
        {
            throw error;
        }
        catch (Exception caught)
        {
            return caught;
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var started = DateTime.UtcNow;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow - started < Patience, "Condition not met in time.");
            await Task.Delay(10, Ct);
        }
    }
}
