using CircuitBreaker.Contract;

namespace CircuitBreaker.Functions.Routing;

/// <summary>
/// Finds the route for a path: the longest prefix that matches on a segment boundary ("/orders" matches "/orders" and
/// "/orders/1", not "/ordersx"). Paths are compared as <see cref="MatchingPath"/> spells them, case-sensitively, as
/// paths are.
/// </summary>
internal sealed class RouteMatcher
{
    // Longest first, so the first match is the longest; prefixes are unique, so there are no ties.
    private readonly (string Prefix, int Index)[] _longestFirst;

    /// <summary>Builds the matcher for <paramref name="prefixes"/>; a match returns the index into this list.</summary>
    public RouteMatcher(IReadOnlyList<string> prefixes)
    {
        ArgumentNullException.ThrowIfNull(prefixes);
        _longestFirst = prefixes
            .Select((prefix, index) => (prefix, index))
            .OrderByDescending(route => route.prefix.Length)
            .ToArray();
    }

    /// <summary>The index of the route serving <paramref name="matchingPath"/>, or null when none does.</summary>
    public int? Match(string matchingPath)
    {
        ArgumentNullException.ThrowIfNull(matchingPath);
        foreach (var (prefix, index) in _longestFirst)
        {
            if (IsUnder(matchingPath, prefix))
            {
                return index;
            }
        }

        return null;
    }

    /// <summary>True when <paramref name="path"/> is <paramref name="prefix"/> or lies below it on a segment boundary.</summary>
    internal static bool IsUnder(string path, string prefix) =>
        prefix == RoutePrefix.Root
            ? path.StartsWith('/')
            : path.StartsWith(prefix, StringComparison.Ordinal) && (path.Length == prefix.Length || path[prefix.Length] == '/');
}
