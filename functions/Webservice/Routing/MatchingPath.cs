namespace CircuitBreaker.Functions.Webservice.Routing;

/// <summary>
/// The spelling of a request path that routes are matched on: percent-encoded unreserved characters (letters, digits,
/// <c>- . _ ~</c>) decoded, as RFC 3986 §6.2.2.2 says any URI consumer may, so that "/%6frders" is matched as "/orders"
/// and cannot slip past the "/orders" route into another. Nothing else is decoded: "%2F" stays three characters and
/// can never make a segment boundary (the path guard refuses it anyway).
/// </summary>
internal static class MatchingPath
{
    /// <summary>The path with encoded unreserved characters decoded; the same string when it has none.</summary>
    public static string Of(string rawPath)
    {
        ArgumentNullException.ThrowIfNull(rawPath);
        var percent = rawPath.IndexOf('%', StringComparison.Ordinal);
        if (percent < 0)
        {
            return rawPath;
        }

        return Decode(rawPath, percent);
    }

    private static string Decode(string rawPath, int firstPercent)
    {
        Span<char> buffer = rawPath.Length <= 512 ? stackalloc char[rawPath.Length] : new char[rawPath.Length];
        rawPath.AsSpan(0, firstPercent).CopyTo(buffer);
        var written = firstPercent;
        for (var i = firstPercent; i < rawPath.Length; i++)
        {
            var c = rawPath[i];
            if (c == '%' && i + 2 < rawPath.Length
                && char.IsAsciiHexDigit(rawPath[i + 1]) && char.IsAsciiHexDigit(rawPath[i + 2])
                && (char)((HexValue(rawPath[i + 1]) << 4) | HexValue(rawPath[i + 2])) is var decoded && IsUnreserved(decoded))
            {
                buffer[written++] = decoded;
                i += 2;
                continue;
            }

            buffer[written++] = c;
        }

        return new string(buffer[..written]);
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    private static bool IsUnreserved(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~';
}
