using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using CircuitBreaker.Functions.Runtime;
using CircuitBreaker.Local.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace CircuitBreaker.Local.LambdaService;

/// <summary>
/// The local Lambda service: the Runtime API for every function under its own path prefix
/// (<c>AWS_LAMBDA_RUNTIME_API = 127.0.0.1:PORT/&lt;function&gt;</c>), and <see cref="InvokeAsync"/>, which queues an
/// invocation, starts instances through the injected starter when none is free, and waits for the answer.
/// It is also the Runtime API of the runtime's tests and of the bench's cold start: there the test or the bench runs
/// the instance itself (the starter does nothing), and <see cref="InvocationOptions"/> and <see cref="Refuse"/> are the
/// seams for the spec's rarer answers.
/// </summary>
internal sealed class LocalLambdaService : IAsyncDisposable
{
    private static readonly byte[] StatusOk = "{\"status\":\"OK\"}"u8.ToArray();
    private static readonly string[] NextSegments = RuntimeApiProtocol.NextPath.Split('/');
    private static readonly string[] InitErrorSegments = RuntimeApiProtocol.InitErrorPath.Split('/');
    private static readonly string[] ResponseSegments = RuntimeApiProtocol.ResponsePath("{id}").Split('/');
    private static readonly string[] ErrorSegments = RuntimeApiProtocol.InvocationErrorPath("{id}").Split('/');

    private readonly Dictionary<string, FunctionInstancePool> _pools;
    private readonly LocalLambdaServiceOptions _options;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<(string Function, RuntimeApiCall Call), ConcurrentQueue<RuntimeApiRefusal>> _refusals = new();
    private LoopbackHttpServer? _server;
    private int _disposed;

    /// <param name="functions">The functions served, by name (the path prefix of each one's Runtime API).</param>
    /// <param name="instanceStarter">Starts one instance of a function and returns its whole run; the token asks it to stop.</param>
    /// <param name="options">ARN parts and scaling limits.</param>
    /// <param name="time">Clock for deadlines and timeouts.</param>
    /// <param name="log">Where crashes of instances are reported.</param>
    public LocalLambdaService(
        IEnumerable<string> functions,
        Func<string, CancellationToken, Task> instanceStarter,
        LocalLambdaServiceOptions options,
        TimeProvider time,
        TextWriter log)
    {
        ArgumentNullException.ThrowIfNull(functions);
        ArgumentNullException.ThrowIfNull(instanceStarter);
        _options = options;
        _time = time;
        _pools = functions.ToDictionary(
            name => name,
            name => new FunctionInstancePool(name, instanceStarter, time, log, options.MaxInstancesPerFunction, _stopping.Token),
            StringComparer.Ordinal);
    }

    /// <summary>http://127.0.0.1:PORT/ once started.</summary>
    public Uri BaseAddress => (_server ?? throw new InvalidOperationException("The Lambda service is not started.")).BaseAddress;

    /// <summary>Starts serving on 127.0.0.1:<paramref name="port"/> (0 = a free port).</summary>
    public async Task StartAsync(int port, CancellationToken cancellationToken)
    {
        _server = await LoopbackHttpServer.StartAsync(port, HandleAsync, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The value of AWS_LAMBDA_RUNTIME_API for an instance of <paramref name="function"/>.</summary>
    public string RuntimeApiFor(string function)
    {
        _ = Pool(function);
        return $"127.0.0.1:{BaseAddress.Port}/{function}";
    }

    /// <summary>The function's counters.</summary>
    public FunctionStatistics Statistics(string function) => Pool(function).Statistics;

    /// <summary>
    /// Invokes <paramref name="function"/> synchronously: completes with its response or error, with a
    /// timeout result once <paramref name="timeout"/> has passed since an instance took the invocation, or
    /// with <see cref="InvocationOutcome.NoInstance"/> when no instance takes it within the queue wait.
    /// </summary>
    public Task<InvocationResult> InvokeAsync(string function, byte[] payload, TimeSpan timeout, CancellationToken cancellationToken) =>
        Start(function, payload, timeout, cancellationToken).Completion;

    /// <inheritdoc cref="Start(string, byte[], TimeSpan, InvocationOptions?, CancellationToken)"/>
    public StartedInvocation Start(string function, byte[] payload, TimeSpan timeout, CancellationToken cancellationToken) =>
        Start(function, payload, timeout, null, cancellationToken);

    /// <summary>
    /// Queues an invocation of <paramref name="function"/> and returns at once: <see cref="StartedInvocation.Taken"/>
    /// says whether an instance took it (false: the service refused it, as <see cref="InvocationOutcome.NoInstance"/>
    /// or the caller's cancellation), <see cref="StartedInvocation.Completion"/> how it ended, as <see cref="InvokeAsync"/>.
    /// </summary>
    /// <param name="function">The function.</param>
    /// <param name="payload">The event, handed to the instance byte for byte.</param>
    /// <param name="timeout">The function's timeout, from when an instance takes the invocation.</param>
    /// <param name="options">The trace to continue, and the test seams of <see cref="InvocationOptions"/>.</param>
    /// <param name="cancellationToken">The caller gives up: the invocation leaves the queue if no instance has it yet.</param>
    public StartedInvocation Start(string function, byte[] payload, TimeSpan timeout, InvocationOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(payload);
        var pool = Pool(function);
        var invocation = new PendingInvocation(options?.RequestId ?? Guid.NewGuid().ToString(), payload, timeout, _time.GetTimestamp(), options);
        pool.Enqueue(invocation);
        return new StartedInvocation(invocation.RequestId, invocation.Taken, WaitForEndAsync(function, pool, invocation, cancellationToken));
    }

    private async Task<InvocationResult> WaitForEndAsync(string function, FunctionInstancePool pool, PendingInvocation invocation, CancellationToken cancellationToken)
    {
        await using var cancel = cancellationToken.Register(() => pool.Abandon(invocation, null)).ConfigureAwait(false);
        using var queueWait = _time.CreateTimer(
            _ => pool.Abandon(invocation, new InvocationResult(
                invocation.RequestId,
                InvocationOutcome.NoInstance,
                LambdaErrors.Document($"No instance of {function} took the invocation within {_options.EffectiveQueueWait.TotalSeconds:0.##} s.", LambdaErrors.NoInstance),
                LambdaErrors.NoInstance,
                pool.Elapsed(invocation))),
            null,
            _options.EffectiveQueueWait,
            Timeout.InfiniteTimeSpan);
        return await invocation.Completion.ConfigureAwait(false);
    }

    /// <summary>
    /// Test seam: the function's next Runtime API request of the kind <paramref name="call"/> is answered with
    /// <paramref name="refusal"/> instead of being served. A refused <c>next</c> takes its turn in the queue with the
    /// invocations (a waiting poll gets it); a refused answer leaves its invocation open.
    /// </summary>
    public void Refuse(string function, RuntimeApiCall call, RuntimeApiRefusal refusal)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        var pool = Pool(function);
        if (call == RuntimeApiCall.Next)
        {
            pool.EnqueueRefusal(refusal);
            return;
        }

        _refusals.GetOrAdd((function, call), _ => new ConcurrentQueue<RuntimeApiRefusal>()).Enqueue(refusal);
    }

    /// <summary>
    /// Stops the instances first (their runtime loops end on their own token) and the Runtime API only once they
    /// have ended, so that no loop sees its Runtime API vanish. A second call does nothing.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        var instances = _pools.Values.SelectMany(pool => pool.RunningInstances).ToArray();
        try
        {
            await Task.WhenAll(instances).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Instances end by cancellation or fault; either way they are done, and a crash was logged.
        }

        if (_server is not null)
        {
            await _server.DisposeAsync().ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    private FunctionInstancePool Pool(string function) =>
        _pools.TryGetValue(function, out var pool) ? pool : throw new ArgumentException($"Unknown function '{function}'.", nameof(function));

    // Segments are read from the raw request target and unescaped one by one: the decoded path would leave %2F encoded
    // and decode the rest, so a request id with reserved characters could not be told from one without.
    private async Task HandleAsync(HttpContext context, CancellationToken serverStopping)
    {
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? string.Empty;
        var segments = target.Split('?', 2)[0].Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length < 4 || segments[1] != RuntimeApiProtocol.Version || !_pools.TryGetValue(Uri.UnescapeDataString(segments[0]), out var pool))
        {
            await WriteJsonAsync(context, StatusCodes.Status404NotFound, LambdaErrors.Document("Not a Runtime API path of a known function.", "NotFound")).ConfigureAwait(false);
            return;
        }

        var method = context.Request.Method;
        var route = segments.AsSpan(2);
        if (HttpMethods.IsGet(method) && route.SequenceEqual(NextSegments))
        {
            await NextAsync(context, pool, serverStopping).ConfigureAwait(false);
        }
        else if (HttpMethods.IsPost(method) && IsInvocationPath(route, ResponseSegments))
        {
            await AnswerAsync(context, pool, Uri.UnescapeDataString(route[2]), isError: false).ConfigureAwait(false);
        }
        else if (HttpMethods.IsPost(method) && IsInvocationPath(route, ErrorSegments))
        {
            await AnswerAsync(context, pool, Uri.UnescapeDataString(route[2]), isError: true).ConfigureAwait(false);
        }
        else if (HttpMethods.IsPost(method) && route.SequenceEqual(InitErrorSegments))
        {
            var body = await BoundedBody.ReadAsync(context.Request.Body, LambdaErrors.MaxPayloadBytes, context.RequestAborted).ConfigureAwait(false);
            if (await RefusedAsync(context, pool, RuntimeApiCall.InitError).ConfigureAwait(false))
            {
                return;
            }

            var type = ErrorType(context, body) ?? "Runtime.InitError";
            pool.InitFailed(body is { Length: > 0 } ? body : LambdaErrors.Document("The function failed to initialise.", type), type, context.Request.ContentType);
            await WriteJsonAsync(context, StatusCodes.Status202Accepted, StatusOk).ConfigureAwait(false);
        }
        else
        {
            await WriteJsonAsync(context, StatusCodes.Status404NotFound, LambdaErrors.Document("Unknown Runtime API route.", "NotFound")).ConfigureAwait(false);
        }
    }

    // The protocol's path with the id's place ({id}) matching any one segment.
    private static bool IsInvocationPath(ReadOnlySpan<string> route, string[] pattern)
    {
        if (route.Length != pattern.Length)
        {
            return false;
        }

        for (var i = 0; i < route.Length; i++)
        {
            if (pattern[i] != "{id}" && route[i] != pattern[i])
            {
                return false;
            }
        }

        return true;
    }

    private async Task<bool> RefusedAsync(HttpContext context, FunctionInstancePool pool, RuntimeApiCall call)
    {
        if (_refusals.IsEmpty || !_refusals.TryGetValue((pool.Function, call), out var queue) || !queue.TryDequeue(out var refusal))
        {
            return false;
        }

        await WriteJsonAsync(context, refusal.Status, LambdaErrors.Document(refusal.ErrorMessage, refusal.ErrorType)).ConfigureAwait(false);
        return true;
    }

    private async Task NextAsync(HttpContext context, FunctionInstancePool pool, CancellationToken serverStopping)
    {
        PendingInvocation invocation;

        // Not ended by the instances' stop signal: when stopping, the instances cancel their own long-polls and end
        // quietly; cutting the poll from this side first would reach them as a broken connection, a warning each.
        using (var either = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, serverStopping))
        {
            try
            {
                invocation = await pool.NextAsync(either.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                context.Abort();
                return;
            }
        }

        if (invocation.Refusal is { } refusal)
        {
            await WriteJsonAsync(context, refusal.Status, LambdaErrors.Document(refusal.ErrorMessage, refusal.ErrorType)).ConfigureAwait(false);
            return;
        }

        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        var sent = invocation.Options;
        SetHeader(response, sent, RuntimeApiProtocol.RequestIdHeader, invocation.RequestId);
        SetHeader(response, sent, RuntimeApiProtocol.DeadlineHeader, invocation.Deadline.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
        SetHeader(response, sent, RuntimeApiProtocol.FunctionArnHeader, _options.FunctionArn(pool.Function));
        SetHeader(response, sent, RuntimeApiProtocol.TraceIdHeader, sent.TraceId ?? TraceId(invocation));
        response.ContentLength = invocation.Payload.Length;
        try
        {
            await response.Body.WriteAsync(invocation.Payload, context.RequestAborted).ConfigureAwait(false);
            await response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException)
        {
            pool.ReturnUndelivered(invocation);
        }
    }

    private static void SetHeader(HttpResponse response, InvocationOptions sent, string header, string value)
    {
        if (sent.Sends(header))
        {
            response.Headers[header] = value;
        }
    }

    private async Task AnswerAsync(HttpContext context, FunctionInstancePool pool, string requestId, bool isError)
    {
        var body = await BoundedBody.ReadAsync(context.Request.Body, LambdaErrors.MaxPayloadBytes, context.RequestAborted).ConfigureAwait(false);
        if (await RefusedAsync(context, pool, isError ? RuntimeApiCall.Error : RuntimeApiCall.Response).ConfigureAwait(false))
        {
            return;
        }

        if (body is null)
        {
            var limit = LambdaErrors.Document($"Response payload size exceeded maximum allowed payload size ({LambdaErrors.MaxPayloadBytes} bytes).", LambdaErrors.ResponseTooLarge);
            pool.TryAnswer(requestId, InvocationOutcome.FunctionError, limit, LambdaErrors.ResponseTooLarge);
            await WriteJsonAsync(context, StatusCodes.Status413PayloadTooLarge, limit).ConfigureAwait(false);
            return;
        }

        bool known;
        if (isError)
        {
            var type = ErrorType(context, body) ?? "Unhandled";
            var document = body.Length > 0 ? body : LambdaErrors.Document(string.Empty, type);
            known = pool.TryAnswer(requestId, InvocationOutcome.FunctionError, document, type, context.Request.ContentType);
        }
        else
        {
            known = pool.TryAnswer(requestId, InvocationOutcome.Success, body, null, context.Request.ContentType);
        }

        if (!known)
        {
            await WriteJsonAsync(context, StatusCodes.Status400BadRequest,
                LambdaErrors.Document($"Invalid request ID: {requestId} is not an invocation in progress.", "InvalidRequestID")).ConfigureAwait(false);
            return;
        }

        await WriteJsonAsync(context, StatusCodes.Status202Accepted, StatusOk).ConfigureAwait(false);
    }

    // The header wins, as Lambda uses it when the body is missing or unreadable; the body's errorType is the fallback.
    private static string? ErrorType(HttpContext context, byte[]? body)
    {
        var header = context.Request.Headers[RuntimeApiProtocol.FunctionErrorTypeHeader].ToString();
        if (header.Length > 0)
        {
            return header;
        }

        if (body is not { Length: > 0 })
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("errorType", out var type)
                && type.ValueKind == JsonValueKind.String
                ? type.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private string TraceId(PendingInvocation invocation)
    {
        var epoch = _time.GetUtcNow().ToUnixTimeSeconds().ToString("x8", CultureInfo.InvariantCulture);
        // From the GUID Lambda's ids are; an id a test chose (InvocationOptions.RequestId) gets a random trace.
        var random = (Guid.TryParse(invocation.RequestId, out var id) ? id : Guid.NewGuid()).ToString("N")[..24];
        return $"Root=1-{epoch}-{random};Sampled=0";
    }

    private static async Task WriteJsonAsync(HttpContext context, int status, byte[] body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }
}
