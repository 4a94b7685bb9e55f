namespace CircuitBreaker.Contract;

/// <summary>What a route's prefix may look like, checked the same way by the stack, the functions and the local host.</summary>
public static class RoutePrefix
{
    /// <summary>The prefix of the one route that the top-level <c>downstreamUrl</c> stands for.</summary>
    public const string Root = "/";

    private const int MaxLength = 200;

    /// <summary>
    /// Null when <paramref name="prefix"/> is a clean path prefix, otherwise why not. Clean means: starts with "/",
    /// no empty segment (so no "//" and no trailing "/" except the root itself), no "." or ".." segment, and only
    /// RFC 3986 path characters other than "%": a prefix is compared with decoded paths, so it is written decoded.
    /// </summary>
    public static string? Problem(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix == Root)
        {
            return null;
        }

        if (prefix.Length == 0 || prefix[0] != '/')
        {
            return "it must start with '/'";
        }

        if (prefix.Length > MaxLength)
        {
            return $"it is longer than {MaxLength} characters";
        }

        if (prefix.EndsWith('/'))
        {
            return "it must not end with '/' (write '/orders', which also serves '/orders/...')";
        }

        foreach (var segment in prefix[1..].Split('/'))
        {
            if (segment.Length == 0)
            {
                return "it has an empty segment ('//')";
            }

            if (segment is "." or "..")
            {
                return "it has a '.' or '..' segment";
            }

            if (segment.FirstOrDefault(c => !IsPrefixChar(c)) is var bad and not '\0')
            {
                return bad == '%'
                    ? "it has '%': write the prefix decoded (requests are matched after percent-encoded letters and digits are decoded)"
                    : $"it has '{bad}', which is not a plain path character (letters, digits and - . _ ~ ! $ & ' ( ) * + , ; = : @)";
            }
        }

        return null;
    }

    /// <summary>The number of segments of a clean prefix: 0 for "/", 2 for "/orders/v2".</summary>
    public static int SegmentCount(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        return prefix == Root ? 0 : prefix.Count(c => c == '/');
    }

    // RFC 3986 pchar without '%': unreserved, sub-delims, ':' and '@'.
    private static bool IsPrefixChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~' or '!' or '$' or '&' or '\'' or '(' or ')' or '*' or '+' or ',' or ';' or '=' or ':' or '@';
}
