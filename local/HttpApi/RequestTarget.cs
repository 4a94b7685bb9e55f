namespace CircuitBreaker.Local.HttpApi;

/// <summary>
/// The event's <c>rawPath</c> from an HTTP/1.1 request target (RFC 9112 §3.2). API Gateway's <c>rawPath</c> is always a
/// path: an absolute-form target (<c>GET http://host/a HTTP/1.1</c>, as sent to proxies) gives its path only, never the
/// URL; the asterisk form (<c>OPTIONS *</c>) and the authority form (<c>CONNECT host:443</c>) have no path at all.
/// </summary>
internal static class RequestTarget
{
    /// <summary>The path part of <paramref name="rawTarget"/> without its query, or null when the target has no path.</summary>
    public static string? RawPath(string rawTarget)
    {
        ArgumentNullException.ThrowIfNull(rawTarget);
        var target = rawTarget;
        if (!target.StartsWith('/'))
        {
            var schemeEnd = target.IndexOf("://", StringComparison.Ordinal);
            if (schemeEnd <= 0)
            {
                return null;
            }

            var pathStart = target.IndexOfAny(['/', '?', '#'], schemeEnd + 3);
            if (pathStart < 0)
            {
                return "/";
            }

            // "http://host?q" has an empty path, which is "/".
            target = target[pathStart] == '/' ? target[pathStart..] : "/" + target[pathStart..];
        }

        var end = target.IndexOfAny(['?', '#']);
        return end >= 0 ? target[..end] : target;
    }
}
