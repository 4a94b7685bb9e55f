using System.Net;
using System.Text;
using CircuitBreaker.Core.Configuration;
using CircuitBreaker.Functions.Configuration;
using CircuitBreaker.Functions.Runtime;
using CircuitBreaker.Local.LambdaService;
using CircuitBreaker.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace CircuitBreaker.Tests.Runtime;

/// <summary>The runtime's client against the local host's Lambda service, the Runtime API every local instance talks to.</summary>
public sealed class RuntimeApiClientTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    // The ARN's parts are the service's: an account and region other than the local host's defaults show they are read.
    private static readonly LocalLambdaServiceOptions ServiceOptions = new("eu-west-1", "111122223333", QueueWait: TimeSpan.FromMinutes(1));

    private readonly HttpClient _http = RuntimeApiClient.CreateHttpClient();
    private LocalLambdaService _api = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _api = await LocalRuntimeApi.StartAsync(options: ServiceOptions);

    public async ValueTask DisposeAsync()
    {
        await _api.DisposeAsync();
        _http.Dispose();
    }

    [Fact]
    public async Task NextInvocationCarriesTheHeadersAndTheEventBytes()
    {
        // The service's deadline is its clock's now plus the timeout when the invocation is taken: a clock that
        // stands still makes it exact to the millisecond.
        var deadline = DateTimeOffset.FromUnixTimeMilliseconds(1_893_456_000_123);
        var timeout = TimeSpan.FromSeconds(30);
        await using var api = await LocalRuntimeApi.StartAsync(options: ServiceOptions, time: new FakeTimeProvider(deadline - timeout));
        var payload = Encoding.UTF8.GetBytes("""{"rawPath":"/orders","body":"é\u0000"}""");
        api.Enqueue(payload, new InvocationOptions(TraceId: "Root=1-5e1b4151-5ac6c58f5b5dbd6a7c9d3e2f;Sampled=1", RequestId: "req-1"), timeout: timeout);

        var invocation = await new RuntimeApiClient(_http, api.RuntimeApiFor(LocalRuntimeApi.Function)).GetNextInvocationAsync(Ct);

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
        await WaitUntilAsync(() => _api.Polling() == 1);
        Assert.False(next.IsCompleted);

        _api.Enqueue("{}", new InvocationOptions(RequestId: "late"));

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
        Assert.Equal(InvocationOutcome.Success, outcome.Outcome);
        Assert.Equal(response, outcome.Payload);
        Assert.Equal("application/json", outcome.ContentType);
    }

    [Fact]
    public async Task ErrorIsPostedWithItsCategoryHeaderAndLambdasErrorDocument()
    {
        var queued = _api.Enqueue("{}");
        var client = Client();
        var invocation = await client.GetNextInvocationAsync(Ct);

        await client.PostErrorAsync(invocation.RequestId, Thrown(new InvalidOperationException("downstream said no")), Ct);

        // ErrorType is the category header when one is sent; the body's errorType (the exception's name) otherwise.
        var outcome = await queued.WaitAsync(Patience, Ct);
        Assert.Equal(InvocationOutcome.FunctionError, outcome.Outcome);
        Assert.Equal(LambdaErrorTypes.UnhandledException, outcome.ErrorType);
        Assert.Equal(RuntimeApiClient.ErrorContentType, outcome.ContentType);
        Assert.Equal("downstream said no", outcome.Error().ErrorMessage);
        Assert.Equal(nameof(InvalidOperationException), outcome.Error().ErrorType);
        Assert.Contains(outcome.Error().StackTrace, frame => frame.Contains(nameof(Thrown), StringComparison.Ordinal));
    }

    [Fact]
    public async Task InvalidEventIsReportedAsRuntimeInvalidEvent()
    {
        var queued = _api.Enqueue("not json");
        var client = Client();
        var invocation = await client.GetNextInvocationAsync(Ct);

        await client.PostErrorAsync(invocation.RequestId, new InvalidEventException("body is not JSON"), Ct);

        var outcome = await queued.WaitAsync(Patience, Ct);
        Assert.Equal(LambdaErrorTypes.InvalidEvent, outcome.ErrorType);
        Assert.Equal(nameof(InvalidEventException), outcome.Error().ErrorType);
        Assert.Empty(outcome.Error().StackTrace);
    }

    [Fact]
    public async Task InitErrorIsPostedToInitErrorWithEveryConfigurationProblem()
    {
        var problem1 = "TABLE_NAME is missing.";
        var problem2 = "failureThreshold is 'x': expected a positive integer.";
        var waiting = _api.Enqueue("{}");

        await Client().PostInitErrorAsync(new FunctionConfigurationException([problem1, problem2]), Ct);

        // As Lambda does, the service answers the waiting invocation with the init error.
        var initError = await waiting.WaitAsync(Patience, Ct);
        Assert.Equal(InvocationOutcome.FunctionError, initError.Outcome);
        Assert.Equal(LambdaErrorTypes.ConfigurationError, initError.ErrorType);
        Assert.Equal(RuntimeApiClient.ErrorContentType, initError.ContentType);
        Assert.Equal(nameof(FunctionConfigurationException), initError.Error().ErrorType);
        Assert.Contains(problem1, initError.Error().ErrorMessage, StringComparison.Ordinal);
        Assert.Contains(problem2, initError.Error().ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RequestIdWithReservedCharactersIsEscapedInThePath()
    {
        const string oddId = "a/b c?d=1&e#f%25g+h";
        var queued = _api.Enqueue("{}", new InvocationOptions(RequestId: oddId));
        var client = Client();
        var invocation = await client.GetNextInvocationAsync(Ct);
        Assert.Equal(oddId, invocation.RequestId);

        await client.PostResponseAsync(invocation.RequestId, "\"done\""u8.ToArray(), Ct);

        var outcome = await queued.WaitAsync(Patience, Ct);
        Assert.Equal(oddId, outcome.RequestId);
        Assert.Equal("\"done\"", outcome.BodyText());
    }

    [Fact]
    public async Task AddressWithAPathPrefixReachesTheApiUnderThatPrefix()
    {
        // The local service serves each function under its name; a longer prefix is composed the same way.
        Assert.EndsWith("/functions/recorder/2018-06-01/", new RuntimeApiClient(_http, "127.0.0.1:9001/functions/recorder").BaseAddress.AbsoluteUri, StringComparison.Ordinal);
        await using var prefixed = await LocalRuntimeApi.StartAsync("recorder");
        var queued = prefixed.Enqueue("{}", function: "recorder");
        var client = new RuntimeApiClient(_http, prefixed.RuntimeApiFor("recorder"));
        Assert.EndsWith($":{prefixed.BaseAddress.Port}/recorder/2018-06-01/", client.BaseAddress.AbsoluteUri, StringComparison.Ordinal);

        var invocation = await client.GetNextInvocationAsync(Ct);
        await client.PostResponseAsync(invocation.RequestId, "{}"u8.ToArray(), Ct);

        Assert.Equal(InvocationOutcome.Success, (await queued.WaitAsync(Patience, Ct)).Outcome);
    }

    [Fact]
    public async Task Status500OnNextIsFatal()
    {
        _api.Refuse(LocalRuntimeApi.Function, RuntimeApiCall.Next, new RuntimeApiRefusal(500, "Runtime.ContainerError", "sandbox broken"));

        var fatal = await Assert.ThrowsAsync<RuntimeApiFatalException>(() => Client().GetNextInvocationAsync(Ct));

        Assert.Contains("sandbox broken", fatal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status403OnNextIsARefusalNotFatal()
    {
        _api.Refuse(LocalRuntimeApi.Function, RuntimeApiCall.Next, new RuntimeApiRefusal(403, "Runtime.Forbidden", "not now"));

        var refusal = await Assert.ThrowsAsync<RuntimeApiException>(() => Client().GetNextInvocationAsync(Ct));

        Assert.Equal(HttpStatusCode.Forbidden, refusal.StatusCode);
        Assert.Equal("Runtime.Forbidden", refusal.ErrorType);
    }

    [Fact]
    public async Task Status413OnAResponseIsARefusalAndTheInvocationCanStillGetAnError()
    {
        _api.Refuse(LocalRuntimeApi.Function, RuntimeApiCall.Response, new RuntimeApiRefusal(413, "RequestEntityTooLarge", "Response of 17 bytes exceeds 16."));
        var queued = _api.Enqueue("{}");
        var client = Client();
        var invocation = await client.GetNextInvocationAsync(Ct);

        var refusal = await Assert.ThrowsAsync<RuntimeApiException>(
            () => client.PostResponseAsync(invocation.RequestId, new byte[17], Ct));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refusal.StatusCode);
        Assert.Equal("RequestEntityTooLarge", refusal.ErrorType);
        Assert.False(queued.Completion.IsCompleted);

        await client.PostErrorAsync(invocation.RequestId, new ResponseTooLargeException(17, refusal), Ct);
        Assert.Equal(LambdaErrorTypes.ResponseSizeTooLarge, (await queued.WaitAsync(Patience, Ct)).ErrorType);
    }

    [Fact]
    public async Task ResponseOverLambdasSixMegabytesGets413()
    {
        _api.Enqueue("{}");
        var client = Client();
        var invocation = await client.GetNextInvocationAsync(Ct);

        var refusal = await Assert.ThrowsAsync<RuntimeApiException>(
            () => client.PostResponseAsync(invocation.RequestId, new byte[(6 * 1024 * 1024) + 1], Ct));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refusal.StatusCode);
    }

    [Fact]
    public async Task SecondAnswerForOneInvocationIsRefused()
    {
        _api.Enqueue("{}", new InvocationOptions(RequestId: "once"));
        var client = Client();
        await client.GetNextInvocationAsync(Ct);
        await client.PostResponseAsync("once", "{}"u8.ToArray(), Ct);

        var refusal = await Assert.ThrowsAsync<RuntimeApiException>(() => client.PostErrorAsync("once", new InvalidOperationException(), Ct));

        // The local service no longer has the invocation open: Lambda's answer to an id it does not know.
        Assert.Equal(HttpStatusCode.BadRequest, refusal.StatusCode);
        Assert.Equal("InvalidRequestID", refusal.ErrorType);
    }

    [Fact]
    public async Task Status403OnAnAnswerIsARefusal()
    {
        _api.Refuse(LocalRuntimeApi.Function, RuntimeApiCall.Error, new RuntimeApiRefusal(403, "InvalidStateTransition", "State transition is not allowed."));
        var queued = _api.Enqueue("{}");
        var client = Client();
        var invocation = await client.GetNextInvocationAsync(Ct);

        var refusal = await Assert.ThrowsAsync<RuntimeApiException>(() => client.PostErrorAsync(invocation.RequestId, new InvalidOperationException(), Ct));

        Assert.Equal(HttpStatusCode.Forbidden, refusal.StatusCode);
        Assert.Equal("InvalidStateTransition", refusal.ErrorType);
        Assert.False(queued.Completion.IsCompleted);
    }

    [Fact]
    public async Task InvocationWithoutADeadlineIsMalformedAndKeepsItsRequestId()
    {
        _api.Enqueue("{}", new InvocationOptions(RequestId: "no-deadline", OmittedHeaders: ["Lambda-Runtime-Deadline-Ms"]));

        var malformed = await Assert.ThrowsAsync<MalformedInvocationException>(() => Client().GetNextInvocationAsync(Ct));

        Assert.Equal("no-deadline", malformed.RequestId);
    }

    [Fact]
    public async Task InvocationWithoutARequestIdIsMalformed()
    {
        _api.Enqueue("{}", new InvocationOptions(OmittedHeaders: ["Lambda-Runtime-Aws-Request-Id"]));

        var malformed = await Assert.ThrowsAsync<MalformedInvocationException>(() => Client().GetNextInvocationAsync(Ct));

        Assert.Null(malformed.RequestId);
    }

    [Fact]
    public async Task UnreachableRuntimeApiSurfacesAsHttpRequestException()
    {
        var address = _api.RuntimeApiFor(LocalRuntimeApi.Function);
        await _api.DisposeAsync();

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

    private RuntimeApiClient Client() => new(_http, _api.RuntimeApiFor(LocalRuntimeApi.Function));

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
