using CircuitBreaker.Contract;

namespace CircuitBreaker.Functions.Webservice.Routing;

/// <summary>
/// Finds the route for a path: the longest prefix that matches on a segment boundary ("/orders" matches "/orders" and
/// "/orders/1", not "/ordersx"). Paths are compared as <see cref="MatchingPath"/> spells them, case-sensitively, as
/// paths are, except for a route that ignores case, whose prefix matches whatever the case of the path's letters.
/// </summary>
internal sealed class RouteMatcher
{
    // Longest first, so the first match is the longest; prefixes are unique, so there are no ties.
    private readonly (string Prefix, bool IgnoreCase, int Index)[] _longestFirst;

    /// <summary>Builds the matcher for case-sensitive <paramref name="prefixes"/>; a match returns the index into this list.</summary>
    public RouteMatcher(IReadOnlyList<string> prefixes)
        : this(prefixes?.Select(prefix => (prefix, false)).ToList() ?? throw new ArgumentNullException(nameof(prefixes)))
    {
    }

    /// <summary>Builds the matcher for <paramref name="routes"/>, each a prefix and whether it ignores case; a match returns the index into this list.</summary>
    public RouteMatcher(IReadOnlyList<(string Prefix, bool IgnoreCase)> routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        _longestFirst = routes
            .Select((route, index) => (route.Prefix, route.IgnoreCase, index))
            .OrderByDescending(route => route.Prefix.Length)
            .ToArray();
    }

    /// <summary>The index of the route serving <paramref name="matchingPath"/>, or null when none does.</summary>
    public int? Match(string matchingPath)
    {
        ArgumentNullException.ThrowIfNull(matchingPath);
        foreach (var (prefix, ignoreCase, index) in _longestFirst)
        {
            if (IsUnder(matchingPath, prefix, ignoreCase))
            {
                return index;
            }
        }

        return null;
    }

    /// <summary>True when <paramref name="path"/> is <paramref name="prefix"/> or lies below it on a segment boundary.</summary>
    internal static bool IsUnder(string path, string prefix, bool ignoreCase = false)
    {
        if (prefix == RoutePrefix.Root)
        {
            return path.StartsWith('/');
        }

        if (path.Length < prefix.Length || (path.Length > prefix.Length && path[prefix.Length] != '/'))
        {
            return false;
        }

        return ignoreCase
            ? SameIgnoringCase(path.AsSpan(0, prefix.Length), prefix)
            : path.StartsWith(prefix, StringComparison.Ordinal);
    }

    // Invariant-culture case folding, both ways: a case-insensitive server may compare upper-cased or lower-cased
    // characters, and a few characters fold to an ASCII letter one way only (the Kelvin sign lower-cases to 'k').
    private static bool SameIgnoringCase(ReadOnlySpan<char> path, string prefix)
    {
        for (var i = 0; i < prefix.Length; i++)
        {
            var (a, b) = (path[i], prefix[i]);
            if (a != b && char.ToUpperInvariant(a) != char.ToUpperInvariant(b) && char.ToLowerInvariant(a) != char.ToLowerInvariant(b))
            {
                return false;
            }
        }

        return true;
    }
}
