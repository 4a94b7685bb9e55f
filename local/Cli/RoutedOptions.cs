using CircuitBreaker.Contract;
using CircuitBreaker.Local.Downstream;
using static CircuitBreaker.Local.Cli.LocalOptionTable;

namespace CircuitBreaker.Local.Cli;

/// <summary>
/// The options of a host with routes: from <c>--route</c> (which replace the file's <c>downstreamUrl</c>,
/// <c>serviceId</c> and <c>routes</c>) or from the <c>--config</c> file's <c>routes</c> list. The other options and the
/// file's top-level values are every route's defaults; <see cref="LocalRoutes"/> validates each route.
/// </summary>
internal static class RoutedOptions
{
    /// <summary>Builds the options; <paramref name="errors"/> holds what the caller found wrong already (they are kept).</summary>
    /// <param name="given">The options given on the command line, by name (but <c>--route</c>).</param>
    /// <param name="routeOptions">The values of <c>--route</c>, in order; none when the routes come from the file.</param>
    /// <param name="fileValues">The <c>--config</c> file's top-level values (empty without a file).</param>
    /// <param name="fileRoutes">The <c>--config</c> file's routes; null when it has none.</param>
    /// <param name="configFile">The <c>--config</c> path, null without one.</param>
    /// <param name="port">The HTTP API's port.</param>
    /// <param name="errors">The errors found so far.</param>
    public static LocalOptionsParseResult Build(
        Dictionary<string, string> given,
        List<string> routeOptions,
        IReadOnlyDictionary<string, string> fileValues,
        IReadOnlyList<IReadOnlyDictionary<string, string>>? fileRoutes,
        string? configFile,
        int port,
        List<string> errors)
    {
        var fromCommandLine = routeOptions.Count > 0;
        if (given.ContainsKey("--downstream"))
        {
            errors.Add("--downstream and routes are both given: with routes, each route names its own target; drop --downstream.");
        }

        if (given.ContainsKey("--service-id"))
        {
            errors.Add("--service-id and routes are both given: with routes, each route has its own service id (its prefix for --route, 'serviceId' in a --config route); drop --service-id.");
        }

        var raw = new List<IReadOnlyDictionary<string, string>>();
        if (fromCommandLine)
        {
            for (var i = 0; i < routeOptions.Count; i++)
            {
                var equals = routeOptions[i].IndexOf('=', StringComparison.Ordinal);
                if (equals <= 0 || equals == routeOptions[i].Length - 1)
                {
                    errors.Add($"--route '{UrlRedaction.WithoutUserInfo(routeOptions[i])}': expected {RouteForm}.");
                    continue;
                }

                raw.Add(new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    [RouteKeys.Prefix] = routeOptions[i][..equals],
                    [CircuitSettingKeys.DownstreamUrl.ConfigKey] = routeOptions[i][(equals + 1)..],
                });
            }
        }
        else
        {
            raw.AddRange(fileRoutes!);
        }

        // A simulated route gets a placeholder downstream (its simulator's address is known only once started) and,
        // unless it names one, a service id from its prefix: simulators all listen on 127.0.0.1.
        var routes = new List<IReadOnlyDictionary<string, string>>();
        var targets = new List<DownstreamTarget>();
        for (var i = 0; i < raw.Count; i++)
        {
            var route = new Dictionary<string, string>(raw[i], StringComparer.Ordinal);
            var url = route.GetValueOrDefault(CircuitSettingKeys.DownstreamUrl.ConfigKey)?.Trim() ?? string.Empty;
            if (url.StartsWith(SimulatePrefix, StringComparison.OrdinalIgnoreCase))
            {
                if (!SimulatorModeNames.TryParse(url[SimulatePrefix.Length..], out var mode))
                {
                    errors.Add($"{DescribeRoute(fromCommandLine, configFile, i, CircuitSettingKeys.DownstreamUrl.ConfigKey)} is '{url}': expected {DownstreamForm}.");
                    continue;
                }

                route[CircuitSettingKeys.DownstreamUrl.ConfigKey] = LocalOptions.SimulatorPlaceholder.AbsoluteUri;
                if (string.IsNullOrWhiteSpace(route.GetValueOrDefault(CircuitSettingKeys.ServiceId.ConfigKey)))
                {
                    route[CircuitSettingKeys.ServiceId.ConfigKey] = LocalRoutes.SimulatedServiceId(route.GetValueOrDefault(RouteKeys.Prefix)?.Trim() ?? string.Empty);
                }

                targets.Add(DownstreamTarget.Simulate(mode));
            }
            else
            {
                targets.Add(DownstreamTarget.At(LocalOptions.SimulatorPlaceholder));
            }

            routes.Add(route);
        }

        var topLevel = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var setting in CircuitSettingKeys.All)
        {
            var option = OptionFor(setting);
            if (setting == CircuitSettingKeys.DownstreamUrl || (fromCommandLine && setting == CircuitSettingKeys.ServiceId))
            {
                // --route replaces the file's single downstream; a file with routes keeps its own top-level values (and their errors).
                if (!fromCommandLine && fileValues.TryGetValue(setting.ConfigKey, out var single))
                {
                    topLevel[setting.ConfigKey] = single;
                }
            }
            else if (option is not null && given.TryGetValue(option, out var value))
            {
                topLevel[setting.ConfigKey] = value;
            }
            else if (fileValues.TryGetValue(setting.ConfigKey, out var fromFile))
            {
                topLevel[setting.ConfigKey] = fromFile;
            }
        }

        if (errors.Count > 0)
        {
            return new LocalOptionsParseResult(null, false, errors);
        }

        var localRoutes = new LocalRoutes(routes, targets, topLevel);
        var read = localRoutes.Read(
            _ => null,
            (index, key) => DescribeRoute(fromCommandLine, configFile, index, key),
            setting => OptionFor(setting) is { } option && given.ContainsKey(option)
                ? option
                : configFile is not null ? $"'{setting.ConfigKey}' in --config {configFile}" : setting.ConfigKey);
        if (read.Table is not { } table)
        {
            return new LocalOptionsParseResult(null, false, read.Errors);
        }

        // Real targets are known now; simulated ones keep their placeholder until their simulator starts.
        var resolvedTargets = targets
            .Select((target, index) => target.IsSimulated ? target : DownstreamTarget.At(table.Routes[index].Circuit.DownstreamUrl))
            .ToList();
        var first = table.Routes[0];
        return new LocalOptionsParseResult(
            new LocalOptions(port, resolvedTargets[0], first.Circuit, ServiceIdGiven: true, configFile, localRoutes with { Targets = resolvedTargets }),
            false,
            []);
    }

    private static string DescribeRoute(bool fromCommandLine, string? configFile, int index, string key) =>
        fromCommandLine
            ? $"--route #{index + 1} ({key})"
            : $"'{RouteKeys.Routes.ConfigKey}[{index}].{key}' in --config {configFile}";
}
