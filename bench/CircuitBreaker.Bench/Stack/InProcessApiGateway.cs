using System.Net;
using System.Text;
using System.Text.Json;
using CircuitBreaker.Functions.Http;
using CircuitBreaker.Functions.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace CircuitBreaker.Bench.Stack;

/// <summary>
/// The HTTP API in front of the webservice: each request becomes a payload format 2.0 event, is invoked on an
/// instance of the webservice with the function's timeout as deadline, and the response event is written back.
/// A handler that throws answers 500, as API Gateway does for a failed integration.
/// </summary>
internal sealed class InProcessApiGateway : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly FunctionInstancePool _webservice;
    private readonly TimeSpan _functionTimeout;
    private readonly TimeProvider _time;
    private long _sequence;

    private InProcessApiGateway(WebApplication app, FunctionInstancePool webservice, TimeSpan functionTimeout, TimeProvider time)
    {
        _app = app;
        _webservice = webservice;
        _functionTimeout = functionTimeout;
        _time = time;
    }

    public Uri BaseAddress { get; private set; } = null!;

    public static async Task<InProcessApiGateway> StartAsync(
        FunctionInstancePool webservice, TimeSpan functionTimeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var gateway = new InProcessApiGateway(app, webservice, functionTimeout, time);
        app.Run(gateway.ServeAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        gateway.BaseAddress = new Uri(app.Urls.First() + "/");
        return gateway;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private async Task ServeAsync(HttpContext context)
    {
        var requestId = "api-" + Interlocked.Increment(ref _sequence).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var payload = JsonSerializer.SerializeToUtf8Bytes(
            new HttpApiRequest
            {
                Version = "2.0",
                RawPath = context.Request.Path.HasValue ? context.Request.Path.Value : "/",
                RawQueryString = context.Request.QueryString.HasValue ? context.Request.QueryString.Value![1..] : string.Empty,
                Headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.Ordinal),
                RequestContext = new HttpApiRequestContext
                {
                    RequestId = requestId,
                    Http = new HttpApiRequestHttp { Method = context.Request.Method, Path = context.Request.Path.Value, SourceIp = "127.0.0.1" },
                },
            },
            HttpJsonContext.Default.HttpApiRequest);

        HttpApiResponse? response;
        try
        {
            var invocation = new LambdaInvocation(requestId, _time.GetUtcNow() + _functionTimeout, null, null, payload);
            var bytes = await _webservice.InvokeAsync(invocation, context.RequestAborted).ConfigureAwait(false);
            response = JsonSerializer.Deserialize(bytes.Span, HttpJsonContext.Default.HttpApiResponse);
        }
        catch (Exception) when (!context.RequestAborted.IsCancellationRequested)
        {
            response = null;
        }

        if (response is null)
        {
            context.Response.StatusCode = 500;
            await context.Response.WriteAsync("{\"message\":\"Internal Server Error\"}", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = response.StatusCode;
        foreach (var (name, value) in response.Headers ?? new Dictionary<string, string>())
        {
            context.Response.Headers[name] = value;
        }

        if (response.Body is { } body)
        {
            var bytes = response.IsBase64Encoded ? Convert.FromBase64String(body) : Encoding.UTF8.GetBytes(body);
            await context.Response.Body.WriteAsync(bytes, context.RequestAborted).ConfigureAwait(false);
        }
    }
}
