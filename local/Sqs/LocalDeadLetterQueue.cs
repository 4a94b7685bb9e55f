using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CircuitBreaker.Local.Hosting;
using CircuitBreaker.Local.LambdaService;
using Microsoft.AspNetCore.Http;

namespace CircuitBreaker.Local.Sqs;

/// <summary>
/// The replayer's dead-letter queue, locally: an endpoint that takes SQS's <c>SendMessage</c> in the AWS JSON 1.0
/// protocol (<c>X-Amz-Target: AmazonSQS.SendMessage</c>, a JSON body with <c>QueueUrl</c> and <c>MessageBody</c>;
/// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-making-api-requests-json.html),
/// keeps each message and prints it as one console line, <c>[dead-letter] replayer: DEFERRED-ID after N attempts: ERROR</c>.
/// It answers with the <c>MessageId</c> and the body's MD5 as SQS does (API Reference, SendMessage).
/// </summary>
internal sealed class LocalDeadLetterQueue : IAsyncDisposable
{
    /// <summary>The queue's name in its URL.</summary>
    public const string QueueName = "circuit-breaker-replayer-dead-letter";

    private readonly ConcurrentQueue<string> _messages = new();
    private readonly TextWriter _log;
    private LoopbackHttpServer? _server;

    private LocalDeadLetterQueue(TextWriter log) => _log = log;

    /// <summary>The queue's URL, as the replayer is given it.</summary>
    public Uri QueueUrl { get; private set; } = null!;

    /// <summary>The messages received, oldest first (each the replayer's JSON message).</summary>
    public IReadOnlyCollection<string> Messages => _messages;

    /// <summary>Starts the endpoint on a free loopback port.</summary>
    public static async Task<LocalDeadLetterQueue> StartAsync(TextWriter log, CancellationToken cancellationToken)
    {
        var queue = new LocalDeadLetterQueue(log);
        queue._server = await LoopbackHttpServer.StartAsync(0, queue.HandleAsync, 1024 * 1024, cancellationToken).ConfigureAwait(false);
        queue.QueueUrl = new Uri(queue._server.BaseAddress, $"000000000000/{QueueName}");
        return queue;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task HandleAsync(HttpContext context, CancellationToken stopping)
    {
        if (!HttpMethods.IsPost(context.Request.Method) || context.Request.Headers["X-Amz-Target"] != "AmazonSQS.SendMessage")
        {
            await Error(context, 400, "InvalidAction", "only AmazonSQS.SendMessage is served here").ConfigureAwait(false);
            return;
        }

        string? body;
        try
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
            body = document.RootElement.TryGetProperty("MessageBody", out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        }
        catch (JsonException)
        {
            body = null;
        }

        if (string.IsNullOrEmpty(body))
        {
            await Error(context, 400, "MissingParameter", "MessageBody is required").ConfigureAwait(false);
            return;
        }

        _messages.Enqueue(body);
        _log.WriteLine(Describe(body));
#pragma warning disable CA5351 // SQS's own checksum of the body, not a security measure.
        var md5 = Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(body)));
#pragma warning restore CA5351
        context.Response.ContentType = "application/x-amz-json-1.0";
        await context.Response.WriteAsync($$"""{"MessageId":"{{Guid.NewGuid()}}","MD5OfMessageBody":"{{md5}}"}""", stopping).ConfigureAwait(false);
    }

    /// <summary>The console line of one message.</summary>
    internal static string Describe(string message)
    {
        try
        {
            using var document = JsonDocument.Parse(message);
            var root = document.RootElement;
            string Text(string name) => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "?";
            var attempts = root.TryGetProperty("attempts", out var count) && count.TryGetInt32(out var n) ? n : 0;
            return DeadLetterLine.Format("replayer", Text("deferredId"), attempts, $"{Text("serviceId")} {Text("method")} {Text("pathAndQuery")}: {Text("lastError")}");
        }
        catch (JsonException)
        {
            return DeadLetterLine.Format("replayer", "?", 0, "an unreadable message");
        }
    }

    private static Task Error(HttpContext context, int status, string code, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/x-amz-json-1.0";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, string> { ["__type"] = code, ["message"] = message }));
    }
}
