using CircuitBreaker.Contract;

namespace CircuitBreaker.Local.Cli;

/// <summary>
/// The local host's routes, validated: each route's raw keys (as in a stack's <c>routes</c>), where each simulated
/// route will get its own simulator, and the top-level values every route inherits. The table the functions run with
/// is built by <see cref="TableFor"/> once the simulators have their addresses.
/// </summary>
/// <param name="Routes">Each route's raw keys; a simulated route's downstreamUrl is a placeholder until started.</param>
/// <param name="Targets">Where each route's calls go, at the same index.</param>
/// <param name="TopLevel">The top-level raw values by config key (from options and the config file).</param>
internal sealed record LocalRoutes(
    IReadOnlyList<IReadOnlyDictionary<string, string>> Routes,
    IReadOnlyList<DownstreamTarget> Targets,
    IReadOnlyDictionary<string, string> TopLevel)
{
    /// <summary>The service id a simulated route gets unless it names one: its prefix's segments ("/orders/v2" → "orders.v2", "/" → "root").</summary>
    public static string SimulatedServiceId(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var name = prefix.Trim('/').Replace('/', '.');
        var clean = new string(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '-').ToArray());
        return clean.Length == 0 ? "root" : clean;
    }

    /// <summary>Reads the routes as the functions will, with each simulated route's downstream at <paramref name="simulatorAddress"/>.</summary>
    public RouteTableResult Read(Func<int, Uri?> simulatorAddress, Func<int, string, string>? describeRouteKey = null, Func<CircuitSetting, string>? describeTopLevel = null)
    {
        ArgumentNullException.ThrowIfNull(simulatorAddress);
        var routes = Routes
            .Select((route, index) => simulatorAddress(index) is { } address
                ? new Dictionary<string, string>(route, StringComparer.Ordinal) { [CircuitSettingKeys.DownstreamUrl.ConfigKey] = address.AbsoluteUri }
                : route)
            .ToList();
        return RouteTableReader.Read(
            setting => TopLevel.TryGetValue(setting.ConfigKey, out var value) ? value : null,
            describeTopLevel ?? (setting => setting.ConfigKey),
            routes,
            describeRouteKey ?? ((index, key) => $"routes[{index}].{key}"));
    }

    /// <summary>The table the functions run with; the routes were validated when the options were read.</summary>
    public RouteTable TableFor(Func<int, Uri?> simulatorAddress) =>
        Read(simulatorAddress).Table ?? throw new InvalidOperationException("The routes were validated with the options and must still be valid.");
}
