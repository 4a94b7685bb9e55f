using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using CircuitBreaker.Functions.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CircuitBreaker.Tests.Support;

/// <summary>
/// A real Lambda Runtime API (2018-06-01) served by Kestrel on 127.0.0.1: tests queue invocations and
/// faults, a runtime (in-process loop or the AOT <c>bootstrap</c> with <c>AWS_LAMBDA_RUNTIME_API</c> set to
/// <see cref="Address"/>) long-polls <c>next</c>, and each invocation's response or error is recorded for
/// the test to await. Like Lambda it answers 413 to a response over the size limit (the invocation stays
/// open for an error), 400 to an unknown request id and 403 to a second answer for one invocation.
/// </summary>
public sealed class LoopbackRuntimeApi : IAsyncDisposable
{
    /// <summary>Lambda's limit on a synchronous response.</summary>
    public const int DefaultMaxResponseBytes = 6 * 1024 * 1024;

    private readonly Channel<QueuedItem> _queue = Channel.CreateUnbounded<QueuedItem>();
    private readonly ConcurrentDictionary<string, LoopbackInvocation> _handedOut = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource<RecordedError> _initError = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _pathPrefix;
    private readonly int _maxResponseBytes;
    private readonly TimeProvider _time;
    private WebApplication? _app;
    private CancellationTokenSource _stopping = new();
    private int _port;
    private int _nextPolls;
    private int _generatedIds;

    private LoopbackRuntimeApi(string pathPrefix, int maxResponseBytes, TimeProvider time)
    {
        _pathPrefix = pathPrefix;
        _maxResponseBytes = maxResponseBytes;
        _time = time;
    }

    /// <summary><c>host:port[/prefix]</c>, the value for <c>AWS_LAMBDA_RUNTIME_API</c>.</summary>
    public string Address => $"127.0.0.1:{_port}{_pathPrefix}";

    /// <summary>How many <c>next</c> requests have arrived (answered or still waiting).</summary>
    public int NextPollCount => Volatile.Read(ref _nextPolls);

    /// <summary>The first error posted to <c>/runtime/init/error</c>.</summary>
    public Task<RecordedError> InitError => _initError.Task;

    /// <summary>Starts the server on a free loopback port.</summary>
    /// <param name="pathPrefix">Serve under <c>/prefix/2018-06-01/</c> (several functions on one server), e.g. <c>fn/webservice</c>.</param>
    /// <param name="maxResponseBytes">Responses above this answer 413.</param>
    /// <param name="time">Clock for default deadlines; the system clock when null.</param>
    public static async Task<LoopbackRuntimeApi> StartAsync(string? pathPrefix = null, int maxResponseBytes = DefaultMaxResponseBytes, TimeProvider? time = null)
    {
        var prefix = string.IsNullOrEmpty(pathPrefix) ? string.Empty : "/" + pathPrefix.Trim('/');
        var api = new LoopbackRuntimeApi(prefix, maxResponseBytes, time ?? TimeProvider.System);
        await api.ListenAsync(port: 0);
        return api;
    }

    /// <summary>Queues an invocation with a JSON event.</summary>
    public LoopbackInvocation Enqueue(string eventJson, string? requestId = null, DateTimeOffset? deadline = null, string? traceId = null, string? functionArn = null) =>
        Enqueue(Encoding.UTF8.GetBytes(eventJson), requestId, deadline, traceId, functionArn);

    /// <summary>Queues an invocation. The deadline defaults to 30 s from now by the server's clock.</summary>
    public LoopbackInvocation Enqueue(byte[] payload, string? requestId = null, DateTimeOffset? deadline = null, string? traceId = null, string? functionArn = null)
    {
        requestId ??= $"loopback-{Interlocked.Increment(ref _generatedIds)}-{Guid.NewGuid():N}";
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            [RuntimeApiProtocol.RequestIdHeader] = requestId,
            [RuntimeApiProtocol.DeadlineHeader] = (deadline ?? _time.GetUtcNow().AddSeconds(30)).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
            [RuntimeApiProtocol.FunctionArnHeader] = functionArn ?? "arn:aws:lambda:us-east-1:123456789012:function:loopback",
        };
        if (traceId is not null)
        {
            headers[RuntimeApiProtocol.TraceIdHeader] = traceId;
        }

        return EnqueueRaw(headers, payload);
    }

    /// <summary>Queues an invocation answered with exactly these headers, for protocol edge cases (a missing header, say).</summary>
    public LoopbackInvocation EnqueueRaw(IReadOnlyDictionary<string, string> headers, byte[] payload)
    {
        var invocation = new LoopbackInvocation(headers, payload);
        if (!_queue.Writer.TryWrite(new QueuedItem(invocation, null)))
        {
            throw new InvalidOperationException("The queue is closed.");
        }

        return invocation;
    }

    /// <summary>Answers the next <c>next</c> poll with an error status, e.g. 500 to tell the runtime to exit.</summary>
    public void EnqueueFault(HttpStatusCode status, string errorType = "Loopback.Fault", string errorMessage = "Fault queued by the test.")
    {
        if (!_queue.Writer.TryWrite(new QueuedItem(null, new QueuedFault(status, errorType, errorMessage))))
        {
            throw new InvalidOperationException("The queue is closed.");
        }
    }

    /// <summary>
    /// Stops listening: waiting polls are cut off and new connections refused, as when a local host
    /// restarts. Queued items and open invocations are kept for <see cref="RestartAsync"/>.
    /// </summary>
    public async Task StopAsync()
    {
        if (_app is null)
        {
            return;
        }

        await _stopping.CancelAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _app = null;
    }

    /// <summary>Listens again on the same port.</summary>
    public async Task RestartAsync()
    {
        if (_app is not null)
        {
            throw new InvalidOperationException("The server is running.");
        }

        _stopping.Dispose();
        _stopping = new CancellationTokenSource();
        await ListenAsync(_port);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stopping.Dispose();
        _queue.Writer.TryComplete();
    }

    private async Task ListenAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        var app = builder.Build();

        var api = $"{_pathPrefix}/{RuntimeApiProtocol.Version}/";
        app.MapGet(api + RuntimeApiProtocol.NextPath, NextAsync);
        app.MapPost(api + RuntimeApiProtocol.ResponsePath("{requestId}"), ResponseAsync);
        app.MapPost(api + RuntimeApiProtocol.InvocationErrorPath("{requestId}"), InvocationErrorAsync);
        app.MapPost(api + RuntimeApiProtocol.InitErrorPath, InitErrorAsync);

        await app.StartAsync();
        var bound = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        _port = new Uri(bound).Port;
        _app = app;
    }

    private async Task NextAsync(HttpContext context)
    {
        Interlocked.Increment(ref _nextPolls);
        QueuedItem item;
        using (var waiting = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token))
        {
            try
            {
                // A cancelled read takes nothing from the channel, so a poll cut off by the client or by
                // StopAsync loses no invocation.
                item = await _queue.Reader.ReadAsync(waiting.Token);
            }
            catch (Exception cut) when (cut is OperationCanceledException or ChannelClosedException)
            {
                context.Abort();
                return;
            }
        }

        if (item.Fault is { } fault)
        {
            await WriteErrorAsync(context, fault.Status, fault.ErrorType, fault.ErrorMessage);
            return;
        }

        var invocation = item.Invocation!;
        _handedOut[invocation.RequestId] = invocation;
        foreach (var (name, value) in invocation.Headers)
        {
            context.Response.Headers[name] = value;
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(invocation.Payload);
    }

    private async Task ResponseAsync(HttpContext context)
    {
        if (!TryFindInvocation(context, out var invocation))
        {
            await WriteErrorAsync(context, HttpStatusCode.BadRequest, "InvalidRequestID", "No open invocation has this request id.");
            return;
        }

        var body = await ReadBodyAsync(context);
        if (body.Length > _maxResponseBytes)
        {
            await WriteErrorAsync(context, HttpStatusCode.RequestEntityTooLarge, "RequestEntityTooLarge", $"Response of {body.Length} bytes exceeds {_maxResponseBytes}.");
            return;
        }

        await CompleteAsync(context, invocation, new PostedOutcome(invocation.RequestId, OutcomeKind.Response, body, context.Request.ContentType, null));
    }

    private async Task InvocationErrorAsync(HttpContext context)
    {
        if (!TryFindInvocation(context, out var invocation))
        {
            await WriteErrorAsync(context, HttpStatusCode.BadRequest, "InvalidRequestID", "No open invocation has this request id.");
            return;
        }

        var body = await ReadBodyAsync(context);
        await CompleteAsync(context, invocation, new PostedOutcome(invocation.RequestId, OutcomeKind.Error, body, context.Request.ContentType, FunctionErrorType(context)));
    }

    private async Task InitErrorAsync(HttpContext context)
    {
        var body = await ReadBodyAsync(context);
        _initError.TrySetResult(new RecordedError(body, context.Request.ContentType, FunctionErrorType(context)));
        await WriteStatusAsync(context);
    }

    private static async Task CompleteAsync(HttpContext context, LoopbackInvocation invocation, PostedOutcome outcome)
    {
        if (!invocation.TryComplete(outcome))
        {
            await WriteErrorAsync(context, HttpStatusCode.Forbidden, "InvalidStateTransition", "The invocation has already been answered.");
            return;
        }

        await WriteStatusAsync(context);
    }

    // The request id is taken from the raw request target: routing would leave %2F encoded but decode
    // the rest, and only the exact unescaping shows whether the client escaped the id correctly.
    private bool TryFindInvocation(HttpContext context, out LoopbackInvocation invocation)
    {
        var rawTarget = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
        var segments = rawTarget.Split('?')[0].Split('/');
        var requestId = Uri.UnescapeDataString(segments[^2]);
        return _handedOut.TryGetValue(requestId, out invocation!);
    }

    private static string? FunctionErrorType(HttpContext context) =>
        context.Request.Headers.TryGetValue(RuntimeApiProtocol.FunctionErrorTypeHeader, out var value) ? value.ToString() : null;

    private static async Task<byte[]> ReadBodyAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        return buffer.ToArray();
    }

    private static async Task WriteStatusAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status202Accepted;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync("""{"status":"OK"}""");
    }

    private static async Task WriteErrorAsync(HttpContext context, HttpStatusCode status, string errorType, string errorMessage)
    {
        context.Response.StatusCode = (int)status;
        context.Response.ContentType = "application/json";
        var body = JsonSerializer.Serialize(new Dictionary<string, string> { ["errorMessage"] = errorMessage, ["errorType"] = errorType });
        await context.Response.WriteAsync(body);
    }

    private sealed record QueuedItem(LoopbackInvocation? Invocation, QueuedFault? Fault);

    private sealed record QueuedFault(HttpStatusCode Status, string ErrorType, string ErrorMessage);
}
