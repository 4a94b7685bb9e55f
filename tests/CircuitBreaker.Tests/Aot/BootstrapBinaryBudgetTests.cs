using System.Diagnostics;
using System.Text.Json;
using CircuitBreaker.Contract;
using CircuitBreaker.Local.LambdaService;
using CircuitBreaker.Tests.Events;
using CircuitBreaker.Tests.Support;

namespace CircuitBreaker.Tests.Aot;

/// <summary>The downstream's budget is measured after admission in the published binary too.</summary>
public sealed partial class BootstrapBinaryTests
{
    [Fact]
    public async Task WithAStalledStoreTheBinarysHangingCallIsAnswered504ByTheDeadlineLessTheReserve()
    {
        Assert.SkipUnless(ProcessPause.Supported, "Pauses dynalite with SIGSTOP.");
        await using var downstream = await CountingHttpServer.StartAsync(async context => await Task.Delay(Timeout.Infinite, context.RequestAborted));
        await using var events = await LoopbackEventBridge.StartAsync();
        var environment = LambdaEnvironment(HandlerNames.Webservice, downstream.Address, events.Endpoint);
        environment["DOWNSTREAM_TIMEOUT_SECONDS"] = "4";
        using var process = new BootstrapProcess(RequireBinary(), environment);

        // A 6 s Lambda (ceil(4 + 2)): the call must end by the deadline less the 2 s reserve, 4 s after the invocation.
        InvocationResult outcome;
        TimeSpan elapsed;
        using (ProcessPause.Stop(dynalite.Server.ProcessId))
        {
            var watch = Stopwatch.StartNew();
            outcome = await _runtimeApi.Enqueue(System.Text.Encoding.UTF8.GetBytes(Invocations.HttpApiEvent()), timeout: TimeSpan.FromSeconds(6))
                .WaitAsync(AnswerBound, TestContext.Current.CancellationToken);
            elapsed = watch.Elapsed;
        }

        Assert.True(outcome.Outcome == InvocationOutcome.Success, process.Output);
        Assert.Equal(504, JsonDocument.Parse(outcome.Payload).RootElement.GetProperty("statusCode").GetInt32());

        // Before the fix the call got its full 4 s after admission's second (5.0 s and later).
        Assert.True(elapsed < TimeSpan.FromSeconds(4.9), $"answered after {elapsed.TotalSeconds:0.00} s\n{process.Output}");
    }
}
