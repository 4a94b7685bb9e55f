using CircuitBreaker.Aws.EventBridge;
using CircuitBreaker.Aws.DynamoDb;
using System.Text;
using System.Text.Json;
using CircuitBreaker.Core.Events;
using CircuitBreaker.Core.Store;
using CircuitBreaker.Functions.Replayer;
using CircuitBreaker.Local.Sqs;
using CircuitBreaker.Tests.Support;

namespace CircuitBreaker.Tests.Replay;

/// <summary>The replayer's SQS client against the local host's dead-letter queue: one signed SendMessage, one console line.</summary>
public sealed class DeadLetterQueueTests
{
    [Fact]
    public async Task ADeadLetteredRequestIsOneMessageWithItsBodyAndOneEscapedConsoleLine()
    {
        var console = new LogCapture();
        await using var queue = await LocalDeadLetterQueue.StartAsync(console, TestContext.Current.CancellationToken);
        using var http = new HttpClient();
        var log = new CapturedLog(TimeProvider.System, "replayer");
        var sender = new SqsDeadLetterQueue(http, queue.QueueUrl, "us-east-1", new FixedCredentialsResolver(new Amazon.Runtime.BasicAWSCredentials("a", "b")), TimeProvider.System, log.Log);
        var at = DateTimeOffset.UtcNow;
        var request = new DeferredRequest("orders", "id-1", at, "POST", "/orders?x=1", [new("content-type", "text/plain")], Encoding.UTF8.GetBytes("order 1"), at.AddDays(1));

        Assert.True(await sender.SendAsync(request, 5, "status 500\nforged line", TestContext.Current.CancellationToken));

        var message = JsonDocument.Parse(Assert.Single(queue.Messages)).RootElement;
        Assert.Equal(("orders", "id-1", 5, "/orders?x=1"), (message.GetProperty("serviceId").GetString(), message.GetProperty("deferredId").GetString(), message.GetProperty("attempts").GetInt32(), message.GetProperty("pathAndQuery").GetString()));
        Assert.Equal("order 1"u8.ToArray(), message.GetProperty("bodyBase64").GetBytesFromBase64());
        var line = Assert.Single(console.Lines);
        Assert.Equal(@"[dead-letter] replayer: id-1 after 5 attempts: orders POST /orders?x=1: status 500\nforged line", line.TrimEnd('\n'));
    }

    [Fact]
    public async Task AQueueThatCannotBeReachedIsAFalseAndAWarningNotAnException()
    {
        var log = new CapturedLog(TimeProvider.System, "replayer");
        using var http = new HttpClient();
        var sender = new SqsDeadLetterQueue(http, new Uri("http://127.0.0.1:9/000000000000/q"), "us-east-1", new FixedCredentialsResolver(new Amazon.Runtime.BasicAWSCredentials("a", "b")), TimeProvider.System, log.Log);
        var at = DateTimeOffset.UtcNow;

        Assert.False(await sender.SendAsync(new DeferredRequest("orders", "id-1", at, "POST", "/", [], null, at), 5, "status 500", TestContext.Current.CancellationToken));
        Assert.Single(log.WithMessage("dead-letter queue unreachable"));
    }
}
