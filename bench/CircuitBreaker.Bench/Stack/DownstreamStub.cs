using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace CircuitBreaker.Bench.Stack;

/// <summary>How the simulated downstream behaves right now.</summary>
internal enum DownstreamMode
{
    Healthy,
    Hanging,
    Failing,
}

/// <summary>
/// The protected downstream on loopback: healthy (200 at once), hanging (never answers until the caller gives
/// up) or failing (500). Counts every call that reached it, by the mode it found.
/// </summary>
internal sealed class DownstreamStub : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _mode;
    private long _calls;
    private long _callsWhileUnhealthy;

    private DownstreamStub(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;

    public DownstreamMode Mode
    {
        get => (DownstreamMode)Volatile.Read(ref _mode);
        set => Volatile.Write(ref _mode, (int)value);
    }

    public long Calls => Interlocked.Read(ref _calls);

    public long CallsWhileUnhealthy => Interlocked.Read(ref _callsWhileUnhealthy);

    public static async Task<DownstreamStub> StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var stub = new DownstreamStub(app);
        app.Run(stub.ServeAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        stub.BaseAddress = new Uri(app.Urls.First().Replace("127.0.0.1", "127.0.0.1", StringComparison.Ordinal) + "/");
        return stub;
    }

    public void ResetCounts()
    {
        Interlocked.Exchange(ref _calls, 0);
        Interlocked.Exchange(ref _callsWhileUnhealthy, 0);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private async Task ServeAsync(HttpContext context)
    {
        Interlocked.Increment(ref _calls);
        var mode = Mode;
        if (mode != DownstreamMode.Healthy)
        {
            Interlocked.Increment(ref _callsWhileUnhealthy);
        }

        switch (mode)
        {
            case DownstreamMode.Hanging:
                try
                {
                    await Task.Delay(Timeout.Infinite, context.RequestAborted).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // The caller gave up: that is the point of hanging.
                }

                return;
            case DownstreamMode.Failing:
                context.Response.StatusCode = 500;
                await context.Response.WriteAsync("downstream failing", context.RequestAborted).ConfigureAwait(false);
                return;
            default:
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync("{\"ok\":true}", context.RequestAborted).ConfigureAwait(false);
                return;
        }
    }
}
