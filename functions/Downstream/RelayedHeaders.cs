namespace CircuitBreaker.Functions.Downstream;

/// <summary>
/// The headers the webservice relays in each direction. An allow-list rather than a deny-list: hop-by-hop
/// headers (Connection, Keep-Alive, Proxy-*, TE, Trailer, Transfer-Encoding, Upgrade), Host (the downstream's
/// own is sent), X-Forwarded-* (a client could forge them), API Gateway's own and anything about the
/// connection rather than the message stay behind.
/// </summary>
internal static class RelayedHeaders
{
    /// <summary>Client request headers passed to the downstream.</summary>
    public static readonly IReadOnlySet<string> Request = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "accept", "accept-language", "authorization", "content-language", "content-type", "cookie",
        "if-match", "if-modified-since", "if-none-match", "if-unmodified-since", "x-amzn-trace-id",
    };

    /// <summary>
    /// Downstream response headers passed to the client (Set-Cookie travels as cookies). Content-Encoding is kept
    /// because the body's bytes are relayed unchanged; Content-Length only for HEAD, where it is the information.
    /// </summary>
    public static readonly IReadOnlySet<string> Response = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "cache-control", "content-disposition", "content-encoding", "content-language", "content-type", "etag", "expires",
        "last-modified", "location", "retry-after", "vary", "www-authenticate",
    };
}
