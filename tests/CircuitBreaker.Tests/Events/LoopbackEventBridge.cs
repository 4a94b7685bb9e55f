using System.Collections.Concurrent;
using CircuitBreaker.Local.Hosting;
using Microsoft.AspNetCore.Http;

namespace CircuitBreaker.Tests.Events;

/// <summary>A request as the loopback endpoint received it.</summary>
internal sealed record RecordedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string Header(string name) => Headers.TryGetValue(name, out var value) ? value : throw new KeyNotFoundException($"No {name} header; got: {string.Join(", ", Headers.Keys)}");
}

/// <summary>What the loopback endpoint answers to one request.</summary>
internal sealed record EventBridgeAnswer(int Status, string Body, TimeSpan Delay = default)
{
    public static EventBridgeAnswer Accepted { get; } =
        new(200, """{"FailedEntryCount":0,"Entries":[{"EventId":"11710aed-b79e-4468-a20b-bb3c0c3b4860"}]}""");

    public static EventBridgeAnswer FailedEntry(string code, string message) =>
        new(200, $$"""{"FailedEntryCount":1,"Entries":[{"ErrorCode":"{{code}}","ErrorMessage":"{{message}}"}]}""");

    public static EventBridgeAnswer Error(int status, string type, string message) =>
        new(status, $$"""{"__type":"{{type}}","message":"{{message}}"}""");
}

/// <summary>
/// Kestrel on 127.0.0.1, port 0, answering POST / as EventBridge's JSON 1.1 endpoint would: the
/// scripted answers in order, then <see cref="EventBridgeAnswer.Accepted"/>. Records every request.
/// </summary>
internal sealed class LoopbackEventBridge : IAsyncDisposable
{
    private LoopbackHttpServer _server = null!;
    private readonly ConcurrentQueue<EventBridgeAnswer> _script = new();
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _arrived = new(0);

    private LoopbackEventBridge()
    {
    }

    public Uri Endpoint => _server.BaseAddress;

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    /// <summary>Completes once <paramref name="count"/> requests have arrived.</summary>
    public async Task WaitForRequestsAsync(int count, CancellationToken cancellationToken)
    {
        while (_requests.Count < count)
        {
            await _arrived.WaitAsync(cancellationToken);
        }
    }

    public static async Task<LoopbackEventBridge> StartAsync(params EventBridgeAnswer[] script)
    {
        var endpoint = new LoopbackEventBridge();
        foreach (var answer in script)
        {
            endpoint._script.Enqueue(answer);
        }

        endpoint._server = await LoopbackHttpServer.StartAsync(0, (context, _) => endpoint.AnswerAsync(context), maxRequestBodySize: null, CancellationToken.None);
        return endpoint;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _server.DisposeAsync();
        _stopping.Dispose();
        _arrived.Dispose();
    }

    private async Task AnswerAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        _requests.Enqueue(new RecordedRequest(context.Request.Method, context.Request.Path.Value ?? string.Empty, headers, body.ToArray()));
        _arrived.Release();

        var answer = _script.TryDequeue(out var scripted) ? scripted : EventBridgeAnswer.Accepted;
        if (answer.Delay > TimeSpan.Zero)
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
            try
            {
                await Task.Delay(answer.Delay, linked.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        context.Response.StatusCode = answer.Status;
        context.Response.ContentType = "application/x-amz-json-1.1";
        context.Response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
        await context.Response.WriteAsync(answer.Body, context.RequestAborted);
    }
}
