using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace CircuitBreaker.Bench;

/// <summary>
/// A reverse proxy on loopback in front of dynalite that counts each DynamoDB call by its <c>X-Amz-Target</c>:
/// for code that builds its own SDK client from the environment (the functions' entry point), pointing the
/// endpoint here is the only way in. dynalite does not verify signatures, so the changed Host is harmless.
/// </summary>
internal sealed class CountingDynamoDbProxy : IAsyncDisposable
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Transfer-Encoding", "Upgrade", "Host", "Content-Length", "Expect",
    };

    private readonly WebApplication _app;
    private readonly HttpClient _upstream;
    private readonly Uri _target;
    private readonly DynamoDbRequestCounter _counter;

    private CountingDynamoDbProxy(WebApplication app, Uri target, DynamoDbRequestCounter counter)
    {
        _app = app;
        _target = target;
        _counter = counter;
        _upstream = new HttpClient(new SocketsHttpHandler { UseProxy = false, AutomaticDecompression = DecompressionMethods.None })
        {
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    public Uri Endpoint { get; private set; } = null!;

    public static async Task<CountingDynamoDbProxy> StartAsync(Uri target, DynamoDbRequestCounter counter, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var proxy = new CountingDynamoDbProxy(app, target, counter);
        app.Run(proxy.ForwardAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        proxy.Endpoint = new Uri(app.Urls.First() + "/");
        return proxy;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _upstream.Dispose();
    }

    private async Task ForwardAsync(HttpContext context)
    {
        var target = context.Request.Headers["X-Amz-Target"].ToString();
        if (target.Length > 0)
        {
            var dot = target.LastIndexOf('.');
            _counter.Count(dot >= 0 ? target[(dot + 1)..] : target);
        }

        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted).ConfigureAwait(false);
        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), new Uri(_target, context.Request.Path + context.Request.QueryString))
        {
            Content = new ByteArrayContent(body.ToArray()),
        };
        foreach (var (name, values) in context.Request.Headers)
        {
            if (HopByHop.Contains(name))
            {
                continue;
            }

            if (!request.Headers.TryAddWithoutValidation(name, (IEnumerable<string>)values))
            {
                request.Content.Headers.TryAddWithoutValidation(name, (IEnumerable<string>)values);
            }
        }

        using var response = await _upstream.SendAsync(request, context.RequestAborted).ConfigureAwait(false);
        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            if (!HopByHop.Contains(name))
            {
                context.Response.Headers[name] = values.ToArray();
            }
        }

        await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
    }
}
