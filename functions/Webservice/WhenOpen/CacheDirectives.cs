using System.Globalization;

namespace CircuitBreaker.Functions.Webservice.WhenOpen;

/// <summary>
/// The directives of a <c>Cache-Control</c> field (RFC 9111 §5.2): names compared without case, values as tokens or
/// quoted strings, the field's lines or repeats taken together. Read conservatively: a directive given twice keeps its
/// smallest number, and a number that does not parse reads as 0.
/// </summary>
internal sealed class CacheDirectives
{
    private readonly Dictionary<string, string?> _directives;

    private CacheDirectives(Dictionary<string, string?> directives) => _directives = directives;

    /// <summary>No directives.</summary>
    public static CacheDirectives None { get; } = new(new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase));

    /// <summary>The directives of <paramref name="field"/> (null: none).</summary>
    public static CacheDirectives Parse(string? field)
    {
        if (string.IsNullOrWhiteSpace(field))
        {
            return None;
        }

        var directives = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in SplitOutsideQuotes(field))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            var name = (equals < 0 ? part : part[..equals]).Trim();
            if (name.Length == 0)
            {
                continue;
            }

            var value = equals < 0 ? null : Unquote(part[(equals + 1)..].Trim());
            if (directives.TryGetValue(name, out var earlier) && earlier is not null && value is not null)
            {
                // Two values for one directive: the smaller number wins (RFC 9111 §4.2.1 lets a cache treat the
                // response as stale; taking the smaller is the same or safer).
                value = DeltaSeconds(earlier) <= DeltaSeconds(value) ? earlier : value;
            }

            directives[name] = value;
        }

        return new CacheDirectives(directives);
    }

    /// <summary>True when the directive is present, with or without an argument (e.g. both forms of <c>private</c>).</summary>
    public bool Has(string name) => _directives.ContainsKey(name);

    /// <summary>The directive's delta-seconds, or null when it is absent; an argument that is not a number reads as 0.</summary>
    public TimeSpan? Seconds(string name) =>
        _directives.TryGetValue(name, out var value) ? TimeSpan.FromSeconds(DeltaSeconds(value)) : null;

    // RFC 9111 §1.2.2: a non-negative integer; an invalid one is treated as 0 here (stale), never as "for ever".
    private static long DeltaSeconds(string? value) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) ? Math.Min(seconds, int.MaxValue) : 0;

    private static string Unquote(string value) =>
        value.Length >= 2 && value[0] == '"' && value[^1] == '"' ? value[1..^1].Replace("\\", string.Empty, StringComparison.Ordinal) : value;

    private static List<string> SplitOutsideQuotes(string field)
    {
        var parts = new List<string>();
        var start = 0;
        var quoted = false;
        for (var i = 0; i < field.Length; i++)
        {
            switch (field[i])
            {
                case '"':
                    quoted = !quoted;
                    break;
                case '\\' when quoted:
                    i++;
                    break;
                case ',' when !quoted:
                    parts.Add(field[start..i]);
                    start = i + 1;
                    break;
            }
        }

        parts.Add(field[start..]);
        return parts;
    }
}
