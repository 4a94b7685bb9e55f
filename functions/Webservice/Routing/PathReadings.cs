using System.Text;

namespace CircuitBreaker.Functions.Webservice.Routing;

/// <summary>
/// The one rule that keeps a client from choosing its route by spelling: a path is refused when a server behind the
/// relay could read it as a path of another route. Servers commonly merge repeated slashes (nginx's
/// <c>merge_slashes</c>, on by default), drop <c>;</c> path parameters (Tomcat, Jetty), decode the path once more than
/// the relay does (so <c>%256f</c> becomes <c>o</c>), or decode an encoded slash where a route lets one through. Each of
/// these readings, alone and all together, must land on the route the path matches as sent; when one lands on another
/// route, the path is refused rather than normalised, so that what the downstream gets is always what the client sent.
/// </summary>
internal static class PathReadings
{
    // As many rounds as the path guard accepts: a path still encoded after that is refused before matching.
    private const int MaxDecodingRounds = Downstream.RequestPathGuard.MaxDecodingRounds;

    /// <summary>
    /// Null when every reading of <paramref name="rawPath"/> is served by route <paramref name="routeAsSent"/> (or by no
    /// route at all); otherwise why the path is refused, for the client. The route a reading lands on is not named.
    /// </summary>
    public static string? WhyAmbiguous(string rawPath, RouteMatcher matcher, int routeAsSent)
    {
        ArgumentNullException.ThrowIfNull(rawPath);
        ArgumentNullException.ThrowIfNull(matcher);
        var emptySegment = rawPath.Contains("//", StringComparison.Ordinal);
        var parameter = rawPath.Contains(';', StringComparison.Ordinal);
        var encodedPercent = rawPath.Contains("%25", StringComparison.OrdinalIgnoreCase);
        var encodedSlash = rawPath.Contains("%2F", StringComparison.OrdinalIgnoreCase);
        if (!(emptySegment || parameter || encodedPercent || encodedSlash))
        {
            return null;
        }

        bool ElsewhereAs(string reading) => matcher.Match(MatchingPath.Of(reading)) is { } route && route != routeAsSent;

        if (emptySegment && ElsewhereAs(MergeSlashes(rawPath)))
        {
            return Refusal("an empty segment ('//'), which a server that merges slashes (as nginx's merge_slashes does) removes");
        }

        if (parameter && ElsewhereAs(DropParameters(rawPath)))
        {
            return Refusal("a ';' parameter, which servers such as Tomcat and Jetty drop from the path");
        }

        var decoded = encodedPercent ? DecodePercentSigns(rawPath) : rawPath;
        if (encodedPercent && ElsewhereAs(decoded))
        {
            return Refusal("an encoded percent sign ('%25'), which a server that decodes the path again turns into another character");
        }

        if ((encodedSlash || decoded.Contains("%2F", StringComparison.OrdinalIgnoreCase)) && ElsewhereAs(DecodeSlashes(decoded)))
        {
            return Refusal("an encoded slash ('%2F'), which a server that decodes it reads as a segment boundary");
        }

        // All together: each reading alone may keep the route while their combination does not ("/orders/;x/admin" is an /orders path merged or without parameters, an /orders/admin one with both).
        if (ElsewhereAs(MergeSlashes(DropParameters(DecodeSlashes(decoded)))))
        {
            string?[] features =
            [
                emptySegment ? "an empty segment ('//')" : null,
                parameter ? "a ';' parameter" : null,
                encodedPercent ? "an encoded percent sign ('%25')" : null,
                encodedSlash ? "an encoded slash ('%2F')" : null,
            ];
            return Refusal(string.Join(" and ", features.OfType<string>()) + ", which servers that merge slashes, drop parameters or decode the path remove");
        }

        return null;
    }

    private static string Refusal(string feature) =>
        $"The path has {feature}; read that way it belongs to another route than the one it matches as sent.";

    /// <summary>Runs of '/' as one, as nginx's merge_slashes reads a path.</summary>
    internal static string MergeSlashes(string path)
    {
        var builder = new StringBuilder(path.Length);
        foreach (var c in path)
        {
            if (c != '/' || builder.Length == 0 || builder[^1] != '/')
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    /// <summary>Each segment without its ';' parameters, as Tomcat and Jetty read a path.</summary>
    internal static string DropParameters(string path)
    {
        var builder = new StringBuilder(path.Length);
        var inParameters = false;
        foreach (var c in path)
        {
            if (c == '/')
            {
                inParameters = false;
            }
            else if (c == ';')
            {
                inParameters = true;
            }

            if (!inParameters)
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    /// <summary>
    /// '%25' decoded to '%', and encoded unreserved characters decoded, until nothing changes (or the guard's limit of
    /// rounds): "/%256frders" becomes "/orders", as a server that decodes the path more than once reads it.
    /// </summary>
    internal static string DecodePercentSigns(string path)
    {
        for (var round = 0; round <= MaxDecodingRounds; round++)
        {
            var next = DecodeOnce(path, decodeSlash: false);
            if (next == path)
            {
                break;
            }

            path = next;
        }

        return path;
    }

    /// <summary>Every '%2F' as '/'.</summary>
    internal static string DecodeSlashes(string path) => DecodeOnce(path, decodeSlash: true);

    private static string DecodeOnce(string path, bool decodeSlash)
    {
        var builder = new StringBuilder(path.Length);
        for (var i = 0; i < path.Length; i++)
        {
            if (path[i] == '%' && i + 2 < path.Length && char.IsAsciiHexDigit(path[i + 1]) && char.IsAsciiHexDigit(path[i + 2]))
            {
                var decoded = (char)((HexValue(path[i + 1]) << 4) | HexValue(path[i + 2]));
                if (decodeSlash ? decoded == '/' : decoded == '%' || IsUnreserved(decoded))
                {
                    builder.Append(decoded);
                    i += 2;
                    continue;
                }
            }

            builder.Append(path[i]);
        }

        return builder.ToString();
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    private static bool IsUnreserved(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~';
}
