using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CircuitBreaker.Tests.Support;

/// <summary>A real Kestrel server on 127.0.0.1 and a free port, answering with the test's delegate.</summary>
internal sealed class LoopbackHttpServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _calls;

    private LoopbackHttpServer(RequestDelegate handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(System.Net.IPAddress.Loopback, 0));
        _app = builder.Build();
        _app.Run(context =>
        {
            Interlocked.Increment(ref _calls);
            return handler(context);
        });
    }

    public Uri Address { get; private set; } = null!;

    /// <summary>Requests received so far.</summary>
    public int Calls => Volatile.Read(ref _calls);

    public static async Task<LoopbackHttpServer> StartAsync(RequestDelegate handler)
    {
        var server = new LoopbackHttpServer(handler);
        await server._app.StartAsync();
        var address = server._app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        server.Address = new Uri(address);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
