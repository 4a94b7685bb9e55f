namespace CircuitBreaker.Contract;

/// <summary>
/// Reads the routes of a deployment and validates them together: each route's settings go through
/// <see cref="CircuitSettingsReader"/> (a route's own value, else the top-level one, else the default), so a route
/// setting obeys exactly the rules of the top-level one. Without routes, the top-level <c>downstreamUrl</c> is one
/// route: prefix "/", path kept; without that either, a recorder (or a backend-only stack) has the top-level policy alone.
/// </summary>
public static class RouteTableReader
{
    /// <summary>Reads and validates the routes.</summary>
    /// <param name="topLevel">Returns a top-level setting's raw value, or null (as for <see cref="CircuitSettingsReader.Read"/>).</param>
    /// <param name="describeTopLevel">Names a top-level setting in messages, e.g. "config 'failureThreshold'".</param>
    /// <param name="routes">The routes' raw values (config key to value), or null when no routes are given.</param>
    /// <param name="describeRouteKey">Names a route's key in messages from its index and key, e.g. "config 'routes[1].failureThreshold'".</param>
    /// <param name="routesRequired">
    /// False for who needs no route (the recorder, a backend-only stack): with neither routes nor a top-level
    /// <c>downstreamUrl</c>, the table then has the top-level policy alone (<see cref="RouteTable.PolicyOnly"/>).
    /// </param>
    /// <returns>The table, or every problem found.</returns>
    public static RouteTableResult Read(
        Func<CircuitSetting, string?> topLevel,
        Func<CircuitSetting, string> describeTopLevel,
        IReadOnlyList<IReadOnlyDictionary<string, string>>? routes,
        Func<int, string, string> describeRouteKey,
        bool routesRequired = true)
    {
        ArgumentNullException.ThrowIfNull(topLevel);
        ArgumentNullException.ThrowIfNull(describeTopLevel);
        ArgumentNullException.ThrowIfNull(describeRouteKey);

        if (routes is null && !routesRequired && string.IsNullOrWhiteSpace(topLevel(CircuitSettingKeys.DownstreamUrl)))
        {
            return ReadPolicyOnly(topLevel, describeTopLevel);
        }

        if (routes is null)
        {
            var single = CircuitSettingsReader.Read(topLevel, describeTopLevel);
            return single.Settings is { } circuit ? new RouteTableResult(RouteTable.OneRoute(circuit), []) : new RouteTableResult(null, single.Errors);
        }

        var errors = new List<string>();
        foreach (var perRouteOnly in new[] { CircuitSettingKeys.DownstreamUrl, CircuitSettingKeys.ServiceId })
        {
            if (!string.IsNullOrWhiteSpace(topLevel(perRouteOnly)))
            {
                errors.Add($"{describeTopLevel(perRouteOnly)} is set as well as {describeTopLevel(RouteKeys.Routes)}: with routes, each route names its own "
                    + $"{perRouteOnly.ConfigKey}; remove the top-level one (it is the one-route shorthand, prefix '/').");
            }
        }

        if (routes.Count == 0)
        {
            errors.Add($"{describeTopLevel(RouteKeys.Routes)} is empty: give at least one route with {RouteKeys.Prefix} and {CircuitSettingKeys.DownstreamUrl.ConfigKey}, "
                + $"or remove it and set {CircuitSettingKeys.DownstreamUrl.ConfigKey} alone.");
        }

        // What every route inherits: the top-level policy and route options, validated on their own.
        var stackWide = CircuitSettingsReader.ReadPolicy(topLevel, describeTopLevel);
        errors.AddRange(stackWide.Errors);
        var stackWideOptions = CircuitSettingsReader.ReadOptions(topLevel, describeTopLevel, errors);

        var read = new List<(int Index, RouteSettings Route)>();
        for (var index = 0; index < routes.Count; index++)
        {
            if (ReadRoute(index, routes[index], topLevel, describeTopLevel, describeRouteKey, errors) is { } route)
            {
                read.Add((index, route));
            }
        }

        CheckUnique(read, route => route.Prefix, RouteKeys.Prefix, describeRouteKey, errors, "each prefix may have one route");
        CheckCaseClashes(read, describeRouteKey, errors);
        CheckUnique(read, route => route.ServiceId, CircuitSettingKeys.ServiceId.ConfigKey, describeRouteKey, errors,
            $"each route needs its own circuit, and {CircuitSettingKeys.ServiceId.ConfigKey} defaults to the downstream URL's host, "
            + $"so routes to the same host need explicit, different {CircuitSettingKeys.ServiceId.ConfigKey} values");

        if (errors.Count > 0 || stackWide.Policy is null || read.Count != routes.Count)
        {
            return new RouteTableResult(null, errors.Distinct(StringComparer.Ordinal).ToList());
        }

        return new RouteTableResult(RouteTable.Routed(read.Select(entry => entry.Route).ToList(), stackWide.Policy, stackWideOptions), []);
    }

    // No route and no downstream: the top-level policy, and the service id when one is given (a backend-only stack's
    // alarm watches it), validated.
    private static RouteTableResult ReadPolicyOnly(Func<CircuitSetting, string?> topLevel, Func<CircuitSetting, string> describeTopLevel)
    {
        var policy = CircuitSettingsReader.ReadPolicy(topLevel, describeTopLevel);
        var errors = policy.Errors.ToList();
        var serviceId = SettingValues.OrDefault(topLevel(CircuitSettingKeys.ServiceId), null);
        if (serviceId is not null && !CircuitSettingsReader.IsValidServiceId(serviceId))
        {
            errors.Add(SettingValues.Invalid(describeTopLevel(CircuitSettingKeys.ServiceId), serviceId, CircuitSettingKeys.ServiceId.ExpectedForm));
        }

        return errors.Count > 0 || policy.Policy is null
            ? new RouteTableResult(null, errors)
            : new RouteTableResult(RouteTable.PolicyOnly(policy.Policy, serviceId), []);
    }

    private static RouteSettings? ReadRoute(
        int index,
        IReadOnlyDictionary<string, string> raw,
        Func<CircuitSetting, string?> topLevel,
        Func<CircuitSetting, string> describeTopLevel,
        Func<int, string, string> describeRouteKey,
        List<string> errors)
    {
        var own = raw
            .Where(pair => !string.IsNullOrWhiteSpace(pair.Value))
            .ToDictionary(pair => pair.Key, pair => pair.Value.Trim(), StringComparer.Ordinal);
        var failed = false;

        foreach (var key in own.Keys.Where(key => !RouteKeys.All.Contains(key, StringComparer.Ordinal)))
        {
            errors.Add(key == CircuitSettingKeys.MetricsNamespace.ConfigKey
                ? $"{describeRouteKey(index, key)}: {key} is stack-wide; set it at the top level."
                : $"{describeRouteKey(index, key)} is not a route key: expected {string.Join(", ", RouteKeys.All)}.");
            failed = true;
        }

        if (!own.TryGetValue(RouteKeys.Prefix, out var prefix))
        {
            errors.Add($"{describeRouteKey(index, RouteKeys.Prefix)} is required: expected a path prefix such as /orders ('/' serves every path).");
            failed = true;
        }
        else if (RoutePrefix.Problem(prefix) is { } problem)
        {
            errors.Add($"{describeRouteKey(index, RouteKeys.Prefix)} is '{prefix}': {problem}.");
            failed = true;
        }

        var strip = RouteKeys.StripPrefixDefault;
        if (own.TryGetValue(RouteKeys.StripPrefix, out var rawStrip) && !bool.TryParse(rawStrip, out strip))
        {
            errors.Add($"{describeRouteKey(index, RouteKeys.StripPrefix)} is '{rawStrip}': expected true or false.");
            failed = true;
        }

        var ignoreCase = RouteKeys.IgnoreCaseDefault;
        if (own.TryGetValue(RouteKeys.IgnoreCase, out var rawIgnoreCase) && !bool.TryParse(rawIgnoreCase, out ignoreCase))
        {
            errors.Add($"{describeRouteKey(index, RouteKeys.IgnoreCase)} is '{rawIgnoreCase}': expected true or false.");
            failed = true;
        }

        // A route's own value wins; the downstream and its service id never come from the top level.
        var circuit = CircuitSettingsReader.Read(
            setting => own.TryGetValue(setting.ConfigKey, out var value)
                ? value
                : setting == CircuitSettingKeys.DownstreamUrl || setting == CircuitSettingKeys.ServiceId ? null : topLevel(setting),
            setting => own.ContainsKey(setting.ConfigKey) || setting == CircuitSettingKeys.DownstreamUrl || setting == CircuitSettingKeys.ServiceId
                ? describeRouteKey(index, setting.ConfigKey)
                : describeTopLevel(setting));
        errors.AddRange(circuit.Errors);

        return failed || circuit.Settings is null ? null : new RouteSettings(prefix!, strip, circuit.Settings, own) { IgnoreCase = ignoreCase };
    }

    // Two prefixes that differ only in case would both serve the same paths once either ignores case.
    private static void CheckCaseClashes(List<(int Index, RouteSettings Route)> routes, Func<int, string, string> describeRouteKey, List<string> errors)
    {
        var clashes = routes
            .GroupBy(entry => entry.Route.Prefix, StringComparer.OrdinalIgnoreCase)
            .Where(group => group.Count() > 1 && group.Any(entry => entry.Route.IgnoreCase) && group.Select(entry => entry.Route.Prefix).Distinct(StringComparer.Ordinal).Count() > 1);
        foreach (var group in clashes)
        {
            var where = group.Select(entry => $"{describeRouteKey(entry.Index, RouteKeys.Prefix)} ('{entry.Route.Prefix}')");
            errors.Add($"{string.Join(" and ", where)} differ only in case, and a route among them has {RouteKeys.IgnoreCase}: true, "
                + "so both would serve the same paths; keep one of them.");
        }
    }

    private static void CheckUnique(
        List<(int Index, RouteSettings Route)> routes,
        Func<RouteSettings, string> key,
        string keyName,
        Func<int, string, string> describeRouteKey,
        List<string> errors,
        string why)
    {
        foreach (var group in routes.GroupBy(entry => key(entry.Route), StringComparer.Ordinal).Where(group => group.Count() > 1))
        {
            var where = group.Select(entry => describeRouteKey(entry.Index, keyName));
            errors.Add($"{string.Join(" and ", where)} are all '{group.Key}': {why}.");
        }
    }
}

/// <summary>The outcome of <see cref="RouteTableReader.Read"/>.</summary>
/// <param name="Table">The routes when valid; otherwise null.</param>
/// <param name="Errors">Every problem found; empty when <paramref name="Table"/> is set.</param>
public sealed record RouteTableResult(RouteTable? Table, IReadOnlyList<string> Errors)
{
    /// <summary>True when the routes were read without error.</summary>
    public bool IsValid => Table is not null;
}
