namespace CircuitBreaker.Functions.Webservice.Downstream;

/// <summary>The one way the webservice's HTTP client for the downstream is built.</summary>
internal static class DownstreamHttp
{
    /// <summary>
    /// A client that holds no state between clients and acts for nobody: no cookie jar (a Set-Cookie answered to
    /// one client would otherwise ride along on every later client's request), no redirect following (the 3xx and
    /// its Location go back to the client; following would let a downstream send the relay, with the client's
    /// cookies and body, anywhere), no proxy, no decompression (bytes are relayed as they come), and no client-wide
    /// timeout, since every call carries its own on the injected clock.
    /// </summary>
    public static HttpClient CreateClient() =>
        new(new SocketsHttpHandler
        {
            UseCookies = false,
            AllowAutoRedirect = false,
            UseProxy = false,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
}
