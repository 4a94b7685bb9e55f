using CircuitBreaker.Local.Hosting;
using Microsoft.AspNetCore.Http;

namespace CircuitBreaker.Tests.Support;

/// <summary>A real Kestrel server on 127.0.0.1 and a free port (the local host's own), answering with the test's delegate and counting requests.</summary>
internal sealed class CountingHttpServer : IAsyncDisposable
{
    private LoopbackHttpServer _server = null!;
    private int _calls;

    private CountingHttpServer()
    {
    }

    public Uri Address => _server.BaseAddress;

    /// <summary>Requests received so far.</summary>
    public int Calls => Volatile.Read(ref _calls);

    public static async Task<CountingHttpServer> StartAsync(RequestDelegate handler)
    {
        var counting = new CountingHttpServer();
        counting._server = await LoopbackHttpServer.StartAsync(
            port: 0,
            (context, _) =>
            {
                Interlocked.Increment(ref counting._calls);
                return handler(context);
            },
            maxRequestBodySize: null,
            CancellationToken.None);
        return counting;
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
