using System.Net;
using System.Text;
using System.Text.Json;
using CircuitBreaker.Local.LambdaService;

namespace CircuitBreaker.Tests.Local.LambdaService;

public sealed class LocalLambdaServiceTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AnInvocationGoesThroughTheRuntimeApiWithLambdasHeaders()
    {
        HttpResponseMessage? seen = null;
        await using var service = await StartAsync(["echo"], async (next, payload) =>
        {
            seen = next;
            await Task.Yield();
            return FakeAnswer.Response(payload);
        });

        var result = await service.InvokeAsync("echo", "{\"n\":1}"u8.ToArray(), TimeSpan.FromSeconds(5), Token);

        Assert.Equal(InvocationOutcome.Success, result.Outcome);
        Assert.Equal("{\"n\":1}", Encoding.UTF8.GetString(result.Payload));
        Assert.NotNull(seen);
        Assert.Equal(result.RequestId, Header(seen, "Lambda-Runtime-Aws-Request-Id"));
        Assert.Equal("arn:aws:lambda:us-east-1:000000000000:function:echo", Header(seen, "Lambda-Runtime-Invoked-Function-Arn"));
        Assert.StartsWith("Root=1-", Header(seen, "Lambda-Runtime-Trace-Id"), StringComparison.Ordinal);
        var deadline = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(Header(seen, "Lambda-Runtime-Deadline-Ms"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.InRange(deadline - DateTimeOffset.UtcNow, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(6));
        Assert.Equal("127.0.0.1:" + service.BaseAddress.Port + "/echo", service.RuntimeApiFor("echo"));
    }

    [Fact]
    public async Task AnErrorPostedByTheFunctionIsAFunctionError()
    {
        await using var service = await StartAsync(["f"], (_, _) =>
            Task.FromResult(FakeAnswer.Error("{\"errorMessage\":\"bad event\",\"errorType\":\"InvalidEventException\"}", null)));

        var result = await service.InvokeAsync("f", "{}"u8.ToArray(), TimeSpan.FromSeconds(5), Token);

        Assert.Equal(InvocationOutcome.FunctionError, result.Outcome);
        Assert.Equal("InvalidEventException", result.ErrorType);
        Assert.Contains("bad event", Encoding.UTF8.GetString(result.Payload), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheErrorTypeHeaderWinsAndAnEmptyBodyGetsLambdasDocument()
    {
        await using var service = await StartAsync(["f"], (_, _) => Task.FromResult(FakeAnswer.Error(string.Empty, "Runtime.ExitError")));

        var result = await service.InvokeAsync("f", "{}"u8.ToArray(), TimeSpan.FromSeconds(5), Token);

        Assert.Equal("Runtime.ExitError", result.ErrorType);
        using var document = JsonDocument.Parse(result.Payload);
        Assert.Equal("Runtime.ExitError", document.RootElement.GetProperty("errorType").GetString());
    }

    [Fact]
    public async Task AnInvocationThatOutlivesItsTimeoutTimesOutAndTheLateAnswerIsIgnored()
    {
        var release = new TaskCompletionSource();
        await using var service = await StartAsync(["slow"], async (_, payload) =>
        {
            await release.Task;
            return FakeAnswer.Response(payload);
        });

        var started = DateTime.UtcNow;
        var result = await service.InvokeAsync("slow", "{}"u8.ToArray(), TimeSpan.FromMilliseconds(300), Token);

        Assert.Equal(InvocationOutcome.Timeout, result.Outcome);
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));
        Assert.Contains("Task timed out after 0.30 seconds", Encoding.UTF8.GetString(result.Payload), StringComparison.Ordinal);
        Assert.Equal(1, service.Statistics("slow").Busy);

        release.SetResult();
        await WaitUntilAsync(() => service.Statistics("slow").Busy == 0);
        Assert.Equal(1, service.Statistics("slow").TimedOut);
        Assert.Equal(0, service.Statistics("slow").Succeeded);
    }

    [Fact]
    public async Task ConcurrentInvocationsScaleOutOneInstanceEach()
    {
        var gate = new TaskCompletionSource();
        await using var service = await StartAsync(["web"], async (_, payload) =>
        {
            await gate.Task;
            return FakeAnswer.Response(payload);
        });

        var calls = Enumerable.Range(0, 5)
            .Select(i => service.InvokeAsync("web", Encoding.UTF8.GetBytes($"{{\"i\":{i}}}"), TimeSpan.FromSeconds(10), Token))
            .ToArray();
        await WaitUntilAsync(() => service.Statistics("web").Busy == 5);
        gate.SetResult();
        var results = await Task.WhenAll(calls);

        Assert.All(results, result => Assert.Equal(InvocationOutcome.Success, result.Outcome));
        var statistics = service.Statistics("web");
        Assert.Equal(5, statistics.StartedInstances);
        Assert.Equal(5, statistics.PeakInstances);
        Assert.Equal(5, statistics.Succeeded);
    }

    [Fact]
    public async Task FiftyConcurrentInvocationsAllCompleteOnFiftyInstances()
    {
        var gate = new TaskCompletionSource();
        await using var service = await StartAsync(["web"], async (_, payload) =>
        {
            await gate.Task;
            return FakeAnswer.Response(payload);
        });

        var calls = Enumerable.Range(0, 50)
            .Select(i => service.InvokeAsync("web", Encoding.UTF8.GetBytes($"{i}"), TimeSpan.FromSeconds(20), Token))
            .ToArray();
        await WaitUntilAsync(() => service.Statistics("web").Busy == 50);
        gate.SetResult();
        var results = await Task.WhenAll(calls);

        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"{i}"), results.Select(result => Encoding.UTF8.GetString(result.Payload)));
        Assert.Equal(50, service.Statistics("web").PeakInstances);
    }

    [Fact]
    public async Task SequentialInvocationsReuseTheWarmInstance()
    {
        await using var service = await StartAsync(["web"], (_, payload) => Task.FromResult(FakeAnswer.Response(payload)));

        for (var i = 0; i < 5; i++)
        {
            var result = await service.InvokeAsync("web", "{}"u8.ToArray(), TimeSpan.FromSeconds(5), Token);
            Assert.Equal(InvocationOutcome.Success, result.Outcome);
            await WaitUntilAsync(() => service.Statistics("web").Busy == 0);
        }

        Assert.Equal(1, service.Statistics("web").StartedInstances);
        Assert.Equal(5, service.Statistics("web").Invocations);
    }

    [Fact]
    public async Task InstancesAreCappedAndTheRestWaitForAFreeOne()
    {
        var gate = new TaskCompletionSource();
        await using var service = await StartAsync(["web"], async (_, payload) =>
        {
            await gate.Task;
            return FakeAnswer.Response(payload);
        }, new LocalLambdaServiceOptions(MaxInstancesPerFunction: 2));

        var calls = Enumerable.Range(0, 4).Select(_ => service.InvokeAsync("web", "{}"u8.ToArray(), TimeSpan.FromSeconds(10), Token)).ToArray();
        await WaitUntilAsync(() => service.Statistics("web").Busy == 2);
        Assert.Equal(2, service.Statistics("web").Queued);
        gate.SetResult();
        var results = await Task.WhenAll(calls);

        Assert.All(results, result => Assert.Equal(InvocationOutcome.Success, result.Outcome));
        Assert.Equal(2, service.Statistics("web").StartedInstances);
    }

    [Fact]
    public async Task FunctionsAreServedSeparately()
    {
        await using var service = await StartAsync(["a", "b"], (next, payload) =>
            Task.FromResult(FakeAnswer.Response(Encoding.UTF8.GetBytes($"\"{Header(next, "Lambda-Runtime-Invoked-Function-Arn").Split(':')[^1]}\""))));

        var a = await service.InvokeAsync("a", "{}"u8.ToArray(), TimeSpan.FromSeconds(5), Token);
        var b = await service.InvokeAsync("b", "{}"u8.ToArray(), TimeSpan.FromSeconds(5), Token);

        Assert.Equal("\"a\"", Encoding.UTF8.GetString(a.Payload));
        Assert.Equal("\"b\"", Encoding.UTF8.GetString(b.Payload));
        Assert.Equal(1, service.Statistics("a").Invocations);
    }

    [Fact]
    public async Task WithoutAnyInstanceTheInvocationEndsAfterTheQueueWait()
    {
        await using var service = new LocalLambdaService(["none"], (_, _) => Task.CompletedTask,
            new LocalLambdaServiceOptions(QueueWait: TimeSpan.FromMilliseconds(300)), TimeProvider.System, TextWriter.Null);
        await service.StartAsync(0, Token);

        var result = await service.InvokeAsync("none", "{}"u8.ToArray(), TimeSpan.FromSeconds(5), Token);

        Assert.Equal(InvocationOutcome.NoInstance, result.Outcome);
        Assert.Equal(0, service.Statistics("none").Queued);
    }

    [Fact]
    public async Task AnInitErrorAnswersTheWaitingInvocation()
    {
        LocalLambdaService? service = null;
        service = new LocalLambdaService(["broken"], async (function, stop) =>
        {
            using var client = new HttpClient();
            using var content = new StringContent("{\"errorMessage\":\"no table\",\"errorType\":\"FunctionConfigurationException\"}");
            using var response = await client.PostAsync($"http://{service!.RuntimeApiFor(function)}/2018-06-01/runtime/init/error", content, stop);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }, new LocalLambdaServiceOptions(), TimeProvider.System, TextWriter.Null);
        await using (service)
        {
            await service.StartAsync(0, Token);

            var result = await service.InvokeAsync("broken", "{}"u8.ToArray(), TimeSpan.FromSeconds(5), Token);

            Assert.Equal(InvocationOutcome.FunctionError, result.Outcome);
            Assert.Equal("FunctionConfigurationException", result.ErrorType);
        }
    }

    [Fact]
    public async Task UnknownRequestIdsAndPathsAreRefused()
    {
        await using var service = await StartAsync(["f"], (_, payload) => Task.FromResult(FakeAnswer.Response(payload)));
        using var client = new HttpClient { BaseAddress = service.BaseAddress };

        using var unknownId = await client.PostAsync("/f/2018-06-01/runtime/invocation/nope/response", new StringContent("{}"), Token);
        using var unknownFunction = await client.GetAsync("/g/2018-06-01/runtime/invocation/next", Token);

        Assert.Equal(HttpStatusCode.BadRequest, unknownId.StatusCode);
        Assert.Contains("InvalidRequestID", await unknownId.Content.ReadAsStringAsync(Token), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, unknownFunction.StatusCode);
    }

    [Fact]
    public async Task AResponseOverSixMegabytesIsRefusedAndFailsTheInvocation()
    {
        await using var service = await StartAsync(["big"], (_, _) =>
            Task.FromResult(FakeAnswer.Response(Encoding.UTF8.GetBytes("\"" + new string('x', (6 * 1024 * 1024) + 10) + "\""))));

        var result = await service.InvokeAsync("big", "{}"u8.ToArray(), TimeSpan.FromSeconds(10), Token);

        Assert.Equal(InvocationOutcome.FunctionError, result.Outcome);
        Assert.Equal(LambdaErrors.ResponseTooLarge, result.ErrorType);
    }

    [Fact]
    public async Task ACancelledCallerLeavesTheQueue()
    {
        await using var service = new LocalLambdaService(["none"], (_, _) => Task.CompletedTask,
            new LocalLambdaServiceOptions(), TimeProvider.System, TextWriter.Null);
        await service.StartAsync(0, Token);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Token);
        cancel.CancelAfter(200);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => service.InvokeAsync("none", "{}"u8.ToArray(), TimeSpan.FromSeconds(5), cancel.Token));

        Assert.Equal(0, service.Statistics("none").Queued);
    }

    private static string Header(HttpResponseMessage response, string name) => response.Headers.GetValues(name).Single();

    private static async Task<LocalLambdaService> StartAsync(
        string[] functions,
        Func<HttpResponseMessage, byte[], Task<FakeAnswer>> handle,
        LocalLambdaServiceOptions? options = null)
    {
        LocalLambdaService? service = null;
        service = new LocalLambdaService(
            functions,
            (function, stop) => FakeRuntimeInstance.RunAsync(service!.RuntimeApiFor(function), handle, stop),
            options ?? new LocalLambdaServiceOptions(),
            TimeProvider.System,
            TextWriter.Null);
        await service.StartAsync(0, Token);
        return service;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, "condition not met within 10 s");
            await Task.Delay(20, Token);
        }
    }
}
