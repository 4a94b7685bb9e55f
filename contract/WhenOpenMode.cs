namespace CircuitBreaker.Contract;

/// <summary>
/// What a route answers instead of calling its downstream when the circuit will not let the call through (the
/// <c>whenOpen</c> setting, <see cref="CircuitSettingKeys.WhenOpen"/>).
/// </summary>
public enum WhenOpenMode
{
    /// <summary>503 with <c>Retry-After</c> and a problem body: the request is refused (the default).</summary>
    Reject,

    /// <summary>GET and HEAD: the last successful answer to the same request, marked stale, within its age limit.</summary>
    Stale,

    /// <summary>Writes: the request is stored, answered 202 Accepted, and replayed to the downstream once the circuit closes.</summary>
    Defer,

    /// <summary>A configured status, content type and body.</summary>
    Static,
}

/// <summary>The setting's spellings of <see cref="WhenOpenMode"/>.</summary>
public static class WhenOpenModes
{
    /// <summary>The values <c>whenOpen</c> accepts, in the order they are documented.</summary>
    public static IReadOnlyList<string> Names { get; } = ["reject", "stale", "defer", "static"];

    /// <summary>The mode <paramref name="text"/> names (lower case, as documented), if it names one.</summary>
    public static bool TryParse(string? text, out WhenOpenMode mode)
    {
        var index = text is null ? -1 : Names.ToList().IndexOf(text);
        mode = index < 0 ? WhenOpenMode.Reject : (WhenOpenMode)index;
        return index >= 0;
    }

    /// <summary>The setting's spelling of <paramref name="mode"/>.</summary>
    public static string Name(WhenOpenMode mode) => Names[(int)mode];
}
