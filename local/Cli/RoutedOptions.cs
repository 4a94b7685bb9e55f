using CircuitBreaker.Contract;
using CircuitBreaker.Functions.Webservice.Downstream;
using CircuitBreaker.Local.Downstream;

namespace CircuitBreaker.Local.Cli;

/// <summary>
/// The options of a host with routes: from <c>--route</c> (which replace the file's <c>downstreamUrl</c>,
/// <c>serviceId</c> and <c>routes</c>) or from the <c>--config</c> file's <c>routes</c> list. The setting options and the
/// file's top-level values are every route's defaults; <see cref="LocalRoutes"/> validates each route.
/// </summary>
internal static class RoutedOptions
{
    /// <summary>Builds the options; <paramref name="errors"/> holds what the caller found wrong already (they are kept).</summary>
    /// <param name="sources">The top-level settings: options, then the <c>--config</c> file.</param>
    /// <param name="routeOptions">The values of <c>--route</c>, in order; none when the routes come from the file.</param>
    /// <param name="fileRoutes">The <c>--config</c> file's routes; null when it has none.</param>
    /// <param name="port">The HTTP API's port.</param>
    /// <param name="errors">The errors found so far.</param>
    public static LocalOptionsParseResult Build(
        SettingSources sources, IReadOnlyList<string> routeOptions, IReadOnlyList<IReadOnlyDictionary<string, string>>? fileRoutes, int port, List<string> errors)
    {
        var fromCommandLine = routeOptions.Count > 0;
        string DescribeRoute(int index, string key) =>
            fromCommandLine ? $"--route #{index + 1} ({key})" : $"'{RouteKeys.Routes.ConfigKey}[{index}].{key}' in --config {sources.ConfigFile}";

        if (sources.CommandLine.TryGetValue(CircuitSettingKeys.DownstreamUrl.ConfigKey, out var downstream))
        {
            errors.Add($"{downstream.Option} and routes are both given: with routes, each route names its own target; drop {downstream.Option}.");
        }

        if (sources.CommandLine.TryGetValue(CircuitSettingKeys.ServiceId.ConfigKey, out var serviceId))
        {
            errors.Add($"{serviceId.Option} and routes are both given: with routes, each route has its own service id "
                + $"(',serviceId=ID' after a --route's target, 'serviceId' in a --config route); drop {serviceId.Option}.");
        }

        var raw = new List<IReadOnlyDictionary<string, string>>();
        for (var i = 0; i < routeOptions.Count; i++)
        {
            var (route, error) = RouteOption.Parse(routeOptions[i], i + 1);
            if (error is not null)
            {
                errors.Add(error);
            }
            else
            {
                raw.Add(route!);
            }
        }

        if (!fromCommandLine)
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
            var prefix = route.GetValueOrDefault(RouteKeys.Prefix)?.Trim() ?? string.Empty;
            if (RoutePrefix.Problem(prefix) is null && RequestPathGuard.Check(prefix) is { } refused)
            {
                errors.Add($"{DescribeRoute(i, RouteKeys.Prefix)} is '{prefix}': every request under it would be refused (400 path-refused: "
                    + $"{char.ToLowerInvariant(refused[0])}{refused[1..].TrimEnd('.')}).");
            }

            var url = route.GetValueOrDefault(CircuitSettingKeys.DownstreamUrl.ConfigKey)?.Trim() ?? string.Empty;
            if (!url.StartsWith(LocalCommandLine.SimulatePrefix, StringComparison.OrdinalIgnoreCase))
            {
                targets.Add(DownstreamTarget.At(LocalOptions.SimulatorPlaceholder));
            }
            else if (SimulatorModeNames.TryParse(url[LocalCommandLine.SimulatePrefix.Length..], out var mode))
            {
                route[CircuitSettingKeys.DownstreamUrl.ConfigKey] = LocalOptions.SimulatorPlaceholder.AbsoluteUri;
                if (string.IsNullOrWhiteSpace(route.GetValueOrDefault(CircuitSettingKeys.ServiceId.ConfigKey)))
                {
                    route[CircuitSettingKeys.ServiceId.ConfigKey] = LocalRoutes.SimulatedServiceId(prefix);
                }

                targets.Add(DownstreamTarget.Simulate(mode));
            }
            else
            {
                errors.Add($"{DescribeRoute(i, CircuitSettingKeys.DownstreamUrl.ConfigKey)} is '{UrlRedaction.WithoutUserInfo(url)}': expected {LocalCommandLine.DownstreamForm}.");
                continue;
            }

            routes.Add(route);
        }

        // --route replaces the file's single downstream and its service id; a file with routes keeps its own top-level
        // values (and their errors).
        var topLevel = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var setting in CircuitSettingKeys.All)
        {
            var perRouteOnly = setting == CircuitSettingKeys.DownstreamUrl || setting == CircuitSettingKeys.ServiceId;
            var value = perRouteOnly ? (fromCommandLine ? null : sources.File.GetValueOrDefault(setting.ConfigKey)) : sources.Value(setting);
            if (value is not null)
            {
                topLevel[setting.ConfigKey] = value;
            }
        }

        if (errors.Count > 0)
        {
            return new LocalOptionsParseResult(null, false, errors);
        }

        var localRoutes = new LocalRoutes(routes, targets, topLevel);
        var read = localRoutes.Read(_ => null, DescribeRoute, sources.Describe);
        if (read.Table is not { } table)
        {
            // Two --route options on one circuit: say how a --route names its own.
            var shared = $"({CircuitSettingKeys.ServiceId.ConfigKey}) and --route #";
            return new LocalOptionsParseResult(null, false, read.Errors
                .Select(error => fromCommandLine && error.Contains(shared, StringComparison.Ordinal)
                    ? $"{error} Give each its own after its target: --route PREFIX=TARGET,{CircuitSettingKeys.ServiceId.ConfigKey}=ID."
                    : error)
                .ToList());
        }

        // Real targets are known now; simulated ones keep their placeholder until their simulator starts.
        var resolvedTargets = targets
            .Select((target, index) => target.IsSimulated ? target : DownstreamTarget.At(table.Routes[index].Circuit.Target.DownstreamUrl))
            .ToList();
        return new LocalOptionsParseResult(
            new LocalOptions(port, resolvedTargets[0], table.Routes[0].Circuit, ServiceIdGiven: true, sources.ConfigFile, localRoutes with { Targets = resolvedTargets }),
            false,
            []);
    }
}
