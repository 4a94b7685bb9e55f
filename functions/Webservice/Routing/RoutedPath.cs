namespace CircuitBreaker.Functions.Webservice.Routing;

/// <summary>The path a route relays: the client's raw path, or, for a route that strips its prefix, what follows the prefix.</summary>
internal static class RoutedPath
{
    /// <summary>
    /// Removes the first <paramref name="segments"/> segments of <paramref name="rawPath"/>, leaving the rest exactly
    /// as the client spelled it ("/orders/a%20b" less one segment is "/a%20b"; "/orders" less one is "/", the downstream URL itself). Segments are
    /// counted rather than prefix characters, because the raw path may spell the prefix with encoded letters.
    /// </summary>
    public static string Strip(string rawPath, int segments)
    {
        ArgumentNullException.ThrowIfNull(rawPath);
        var cut = 0;
        for (var seen = 0; seen < segments; seen++)
        {
            var next = rawPath.IndexOf('/', cut + 1);
            if (next < 0)
            {
                return "/";
            }

            cut = next;
        }

        return rawPath[cut..];
    }
}
