using CircuitBreaker.Aws.DynamoDb;
using System.Collections.Concurrent;
using System.Text.Json;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Store;
using CircuitBreaker.Local.LambdaService;
using CircuitBreaker.Local.Sqs;
using CircuitBreaker.Tests.Support;

namespace CircuitBreaker.Tests.Aot;

/// <summary>whenOpen: defer in the published binary: the webservice's 202, the replayer's replay and its dead letter over SQS.</summary>
public sealed partial class BootstrapBinaryTests
{
    private Dictionary<string, string> DeferringEnvironment(string handler, Uri downstream, Uri? deadLetterQueue = null)
    {
        var environment = LambdaEnvironment(handler, downstream);
        environment[CircuitSettingKeys.WhenOpen.EnvironmentVariable] = "defer";
        environment[CircuitSettingKeys.DeferMaxAttempts.EnvironmentVariable] = "1";
        if (deadLetterQueue is not null)
        {
            environment[FunctionEnvironment.DeadLetterQueueUrl] = deadLetterQueue.AbsoluteUri;
        }

        return environment;
    }

    [Fact]
    public async Task ThePublishedBinaryDefersAPostWhileIsolatedAndItsReplayerSendsItOnceWithAnIdempotencyKeyOrDeadLettersIt()
    {
        var cancellation = TestContext.Current.CancellationToken;
        var received = new ConcurrentQueue<(string Path, string Key, string Body)>();
        var failing = false;
        await using var downstream = await CountingHttpServer.StartAsync(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            received.Enqueue((context.Request.Path.ToString(), context.Request.Headers[DeferredReplays.IdempotencyKeyHeader].ToString(), await reader.ReadToEndAsync(cancellation)));
            context.Response.StatusCode = Volatile.Read(ref failing) ? 500 : 201;
        });
        await using var deadLetters = await LocalDeadLetterQueue.StartAsync(TextWriter.Null, cancellation);
        var store = new DynamoDbCircuitStore(_client, _table);
        await store.IsolateAsync("127.0.0.1", cancellation);

        string[] ids = new string[2];
        using (var webservice = new BootstrapProcess(RequireBinary(), DeferringEnvironment(HandlerNames.Webservice, downstream.Address)))
        {
            for (var i = 0; i < 2; i++)
            {
                var outcome = await _runtimeApi.Enqueue(Invocations.HttpApiEvent("POST", $"/orders/{i}", body: $"order {i}")).WaitAsync(AnswerBound, cancellation);
                Assert.True(outcome.Outcome == InvocationOutcome.Success, webservice.Output);
                var answer = JsonDocument.Parse(outcome.Payload).RootElement;
                Assert.Equal(202, answer.GetProperty("statusCode").GetInt32());
                ids[i] = answer.GetProperty("headers").GetProperty("circuit-breaker-deferred-id").GetString()!;
            }
        }

        Assert.Empty(received);
        await store.ForceCloseAsync("127.0.0.1", DateTimeOffset.UtcNow, cancellation);
        var close = """{"source":"circuit-breaker","detail-type":"Circuit State Changed","detail":{"serviceId":"127.0.0.1","from":"half-open","to":"closed"}}""";
        using (var replayer = new BootstrapProcess(RequireBinary(), DeferringEnvironment(HandlerNames.Replayer, downstream.Address, deadLetters.QueueUrl)))
        {
            var replayed = await _runtimeApi.Enqueue(close).WaitAsync(AnswerBound, cancellation);
            Assert.True(replayed.Outcome == InvocationOutcome.Success, replayer.Output);
            Assert.Equal(2, JsonDocument.Parse(replayed.Payload).RootElement.GetProperty("replayed").GetInt32());
        }

        Assert.Equal(new[] { ("/orders/0", ids[0], "order 0"), ("/orders/1", ids[1], "order 1") }, received.ToArray());

        // A request that fails its one attempt goes to the dead-letter queue, signed SendMessage over SQS's JSON protocol.
        using (var webservice = new BootstrapProcess(RequireBinary(), DeferringEnvironment(HandlerNames.Webservice, downstream.Address)))
        {
            await store.IsolateAsync("127.0.0.1", cancellation);
            var outcome = await _runtimeApi.Enqueue(Invocations.HttpApiEvent("PUT", "/orders/2", body: "order 2")).WaitAsync(AnswerBound, cancellation);
            Assert.Equal(202, JsonDocument.Parse(outcome.Payload).RootElement.GetProperty("statusCode").GetInt32());
        }

        await store.ForceCloseAsync("127.0.0.1", DateTimeOffset.UtcNow, cancellation);
        Volatile.Write(ref failing, true);
        using var failingReplayer = new BootstrapProcess(RequireBinary(), DeferringEnvironment(HandlerNames.Replayer, downstream.Address, deadLetters.QueueUrl));
        var deadLettered = await _runtimeApi.Enqueue(close).WaitAsync(AnswerBound, cancellation);

        Assert.True(deadLettered.Outcome == InvocationOutcome.Success, failingReplayer.Output);
        Assert.Equal(1, JsonDocument.Parse(deadLettered.Payload).RootElement.GetProperty("deadLettered").GetInt32());
        var message = JsonDocument.Parse(Assert.Single(deadLetters.Messages)).RootElement;
        Assert.Equal(("PUT", "/orders/2", "status 500"), (message.GetProperty("method").GetString(), message.GetProperty("pathAndQuery").GetString(), message.GetProperty("lastError").GetString()));
        Assert.Equal("order 2"u8.ToArray(), message.GetProperty("bodyBase64").GetBytesFromBase64());
    }
}
