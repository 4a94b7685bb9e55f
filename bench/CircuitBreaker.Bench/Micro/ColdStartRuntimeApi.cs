using System.Diagnostics;
using System.Globalization;
using System.Net;
using CircuitBreaker.Functions.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace CircuitBreaker.Bench.Micro;

/// <summary>
/// The smallest Lambda Runtime API that serves a cold start: hands out one armed event on
/// <c>/runtime/invocation/next</c> (later polls wait), and reports when its response or an error is posted, so that
/// a sample's clock stops at the first response of a new process.
/// </summary>
internal sealed class ColdStartRuntimeApi : IAsyncDisposable
{
    private const string Base = "/" + RuntimeApiProtocol.Version + "/";
    private readonly WebApplication _app;
    private ArmedEvent? _armed;
    private TaskCompletionSource<(long Timestamp, string Outcome)> _answered = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ColdStartRuntimeApi(WebApplication app) => _app = app;

    /// <summary>host:port, as AWS_LAMBDA_RUNTIME_API carries it.</summary>
    public string Address { get; private set; } = string.Empty;

    public static async Task<ColdStartRuntimeApi> StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var api = new ColdStartRuntimeApi(app);
        app.MapGet(Base + RuntimeApiProtocol.NextPath, api.NextAsync);
        app.MapPost(Base + RuntimeApiProtocol.ResponsePath("{id}"), (HttpContext context) => api.Answer("response"));
        app.MapPost(Base + RuntimeApiProtocol.InvocationErrorPath("{id}"), (HttpContext context) => api.Answer("invocation error"));
        app.MapPost(Base + RuntimeApiProtocol.InitErrorPath, (HttpContext context) => api.Answer("init error"));
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        api.Address = new Uri(app.Urls.First()).Authority;
        return api;
    }

    /// <summary>Arms one event for the next poll and returns the task that completes when it is answered.</summary>
    public Task<(long Timestamp, string Outcome)> Arm(string requestId, byte[] payload)
    {
        _answered = new TaskCompletionSource<(long, string)>(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _armed, new ArmedEvent(requestId, payload));
        return _answered.Task;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private IResult Answer(string outcome)
    {
        _answered.TrySetResult((Stopwatch.GetTimestamp(), outcome));
        return Results.Accepted();
    }

    private async Task NextAsync(HttpContext context)
    {
        var armed = Interlocked.Exchange(ref _armed, null);
        if (armed is null)
        {
            try
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The process was stopped while polling.
            }

            return;
        }

        var (requestId, payload) = armed;
        context.Response.Headers[RuntimeApiProtocol.RequestIdHeader] = requestId;
        context.Response.Headers[RuntimeApiProtocol.DeadlineHeader] =
            DateTimeOffset.UtcNow.AddSeconds(30).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        context.Response.Headers[RuntimeApiProtocol.FunctionArnHeader] = "arn:aws:lambda:us-east-1:000000000000:function:webservice";
        context.Response.Headers[RuntimeApiProtocol.TraceIdHeader] = "Root=1-00000000-000000000000000000000000";
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(payload, context.RequestAborted).ConfigureAwait(false);
    }

    private sealed record ArmedEvent(string RequestId, byte[] Payload);
}
