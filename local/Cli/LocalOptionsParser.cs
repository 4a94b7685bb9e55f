using System.Globalization;
using CircuitBreaker.Contract;
using CircuitBreaker.Local.Downstream;

namespace CircuitBreaker.Local.Cli;

/// <summary>
/// Reads the local host's command line into <see cref="LocalOptions"/>. The breaker's settings go through
/// the contract's <see cref="CircuitSettingsReader"/>, so they are validated exactly as the stack validates
/// them; command-line options override the <c>--config</c> file, which overrides the defaults.
/// </summary>
internal static class LocalOptionsParser
{
    private const string PortForm = "a port number from 0 to 65535 (0 = any free port)";
    private const string DownstreamForm = "an absolute http(s) URL or simulate:hang, simulate:fail, simulate:ok or simulate:flap";
    private const string SimulatePrefix = "simulate:";
    private const string RouteForm = "PREFIX=TARGET, e.g. /orders=simulate:hang or /pay=http://127.0.0.1:8080/ (TARGET as for --downstream)";

    private static readonly Dictionary<string, CircuitSetting> SettingOptions = new Dictionary<string, CircuitSetting>(StringComparer.Ordinal)
    {
        ["--timeout-seconds"] = CircuitSettingKeys.DownstreamTimeoutSeconds,
        ["--failure-threshold"] = CircuitSettingKeys.FailureThreshold,
        ["--window-seconds"] = CircuitSettingKeys.WindowSeconds,
        ["--open-seconds"] = CircuitSettingKeys.OpenSeconds,
        ["--failure-ratio"] = CircuitSettingKeys.FailureRatio,
        ["--minimum-throughput"] = CircuitSettingKeys.MinimumThroughput,
        ["--slow-call-seconds"] = CircuitSettingKeys.SlowCallSeconds,
        ["--max-open-seconds"] = CircuitSettingKeys.MaxOpenSeconds,
        ["--metrics-namespace"] = CircuitSettingKeys.MetricsNamespace,
        ["--fail-open"] = CircuitSettingKeys.FailOpen,
        ["--service-id"] = CircuitSettingKeys.ServiceId,
    };

    /// <summary>The usage text printed by <c>--help</c> and after errors.</summary>
    public static string Usage { get; } = string.Join(Environment.NewLine,
        "Usage: dotnet run --project local -- [options]",
        "",
        "Runs the circuit breaker on this machine: HTTP API, both functions, EventBridge, DynamoDB (dynalite)",
        "and a downstream simulator, all on 127.0.0.1. Seconds accept fractions (e.g. 0.2).",
        "",
        $"  --port N                 HTTP API port (default {LocalOptions.DefaultPort}; 0 = any free port)",
        "  --downstream TARGET      URL of a real downstream, or simulate:hang|simulate:fail|simulate:ok|simulate:flap",
        "                           (default simulate:hang)",
        $"  --timeout-seconds S      downstream call timeout (default {CircuitSettingKeys.DownstreamTimeoutSeconds.DefaultValue})",
        $"  --failure-threshold N    failures within the window that open the circuit (default {CircuitSettingKeys.FailureThreshold.DefaultValue})",
        $"  --window-seconds S       how far back failures count (default {CircuitSettingKeys.WindowSeconds.DefaultValue})",
        $"  --open-seconds S         how long the circuit stays open before one probe (default {CircuitSettingKeys.OpenSeconds.DefaultValue})",
        "  --failure-ratio R        ratio mode: open when failures / calls within the window reach R (0 < R <= 1);",
        "                           unset (the default) keeps count mode and --failure-threshold",
        $"  --minimum-throughput N   ratio mode: calls within the window before the ratio may open (default {CircuitSettingKeys.MinimumThroughput.DefaultValue})",
        "  --slow-call-seconds S    publish a call still pending after S as failed (reason slow), below the timeout",
        "                           (default: off)",
        "  --max-open-seconds S     each failed probe doubles the open period up to S, with +-10 % jitter",
        "                           (default: --open-seconds, i.e. no backoff)",
        $"  --metrics-namespace NS   CloudWatch namespace of the metrics in the functions' log lines (default {CircuitSettingKeys.MetricsNamespace.DefaultValue})",
        $"  --fail-open true|false   call the downstream when the breaker's store is unreachable (default {CircuitSettingKeys.FailOpen.DefaultValue})",
        "  --service-id ID          the circuit's key (default: the downstream URL's host)",
        "  --route PREFIX=TARGET    a route: requests under PREFIX go to TARGET (a URL or simulate:MODE, each simulated",
        "                           route with its own simulator), behind their own circuit; repeat for more routes.",
        "                           Longest prefix wins; no match is a 404. The options above apply to every route.",
        "                           Replaces --downstream and the config file's downstreamUrl and routes",
        "  --config FILE            take the settings from a stack's Pulumi.<stack>.yaml (options above override it),",
        "                           including its routes list (downstreamUrl may be simulate:MODE there too)",
        "  --help                   show this text",
        "",
        "The simulator is switched at run time with: curl -X PUT --data flap http://127.0.0.1:<simulator port>/mode");

    /// <summary>Parses <paramref name="args"/>; relative <c>--config</c> paths are relative to the current directory.</summary>
    public static LocalOptionsParseResult Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var errors = new List<string>();
        var given = new Dictionary<string, string>(StringComparer.Ordinal);
        var routes = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "--help" or "-h" or "-?")
            {
                return new LocalOptionsParseResult(null, true, []);
            }

            string name;
            string? value;
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (arg.StartsWith("--", StringComparison.Ordinal) && equals > 0)
            {
                name = arg[..equals];
                value = arg[(equals + 1)..];
            }
            else
            {
                name = arg;
                value = i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : null;
            }

            if (!IsKnown(name))
            {
                errors.Add($"{name}: unknown option; run with --help for the options.");
                continue;
            }

            if (value is null)
            {
                errors.Add($"{name} needs a value: expected {ExpectedForm(name)}.");
                continue;
            }

            if (name == "--route")
            {
                routes.Add(value);
                continue;
            }

            if (!given.TryAdd(name, value))
            {
                errors.Add($"{name} is given more than once: expected it once.");
            }
        }

        if (errors.Count > 0)
        {
            return new LocalOptionsParseResult(null, false, errors);
        }

        return Build(given, routes);
    }

    private static LocalOptionsParseResult Build(Dictionary<string, string> given, List<string> routeOptions)
    {
        var errors = new List<string>();

        var port = LocalOptions.DefaultPort;
        if (given.TryGetValue("--port", out var rawPort)
            && !(int.TryParse(rawPort, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port <= 65535))
        {
            errors.Add($"--port is '{rawPort}': expected {PortForm}.");
        }

        IReadOnlyDictionary<string, string> fileValues = new Dictionary<string, string>();
        IReadOnlyList<IReadOnlyDictionary<string, string>>? fileRoutes = null;
        given.TryGetValue("--config", out var configFile);
        if (configFile is not null)
        {
            var read = StackConfigFile.Read(configFile);
            if (read.Error is not null)
            {
                errors.Add(read.Error);
            }

            fileValues = read.Values;
            fileRoutes = read.Routes;
        }

        if (routeOptions.Count > 0 || fileRoutes is not null)
        {
            return BuildRoutes(given, routeOptions, fileValues, fileRoutes, configFile, port, errors);
        }

        // The downstream: an explicit option wins, then the file's downstreamUrl, then the demo's hanging simulator.
        DownstreamTarget? downstream = null;
        string? downstreamSource = null;
        if (given.TryGetValue("--downstream", out var rawDownstream))
        {
            downstreamSource = "--downstream";
            if (rawDownstream.StartsWith(SimulatePrefix, StringComparison.OrdinalIgnoreCase))
            {
                if (SimulatorModeNames.TryParse(rawDownstream[SimulatePrefix.Length..], out var mode))
                {
                    downstream = DownstreamTarget.Simulate(mode);
                }
                else
                {
                    errors.Add($"--downstream is '{UrlRedaction.WithoutUserInfo(rawDownstream)}': expected {DownstreamForm}.");
                }
            }
        }
        else if (!fileValues.ContainsKey(CircuitSettingKeys.DownstreamUrl.ConfigKey))
        {
            downstream = DownstreamTarget.Simulate(SimulatorMode.Hang);
        }

        string? Lookup(CircuitSetting setting)
        {
            if (setting == CircuitSettingKeys.DownstreamUrl)
            {
                if (downstream is { IsSimulated: true })
                {
                    return LocalOptions.SimulatorPlaceholder.AbsoluteUri;
                }

                if (rawDownstream is not null)
                {
                    return rawDownstream.StartsWith(SimulatePrefix, StringComparison.OrdinalIgnoreCase) ? LocalOptions.SimulatorPlaceholder.AbsoluteUri : rawDownstream;
                }
            }

            var option = OptionFor(setting);
            if (option is not null && given.TryGetValue(option, out var fromCommandLine))
            {
                return fromCommandLine;
            }

            return fileValues.TryGetValue(setting.ConfigKey, out var fromFile) ? fromFile : null;
        }

        string Describe(CircuitSetting setting)
        {
            if (setting == CircuitSettingKeys.DownstreamUrl && downstreamSource is not null)
            {
                return downstreamSource;
            }

            var option = OptionFor(setting);
            if (option is not null && given.ContainsKey(option))
            {
                return option;
            }

            return configFile is not null && fileValues.ContainsKey(setting.ConfigKey)
                ? $"'{setting.ConfigKey}' in --config {configFile}"
                : option ?? setting.ConfigKey;
        }

        var settings = CircuitSettingsReader.Read(Lookup, Describe);
        errors.AddRange(settings.Errors.Where(error => !errors.Contains(error)));
        if (errors.Count > 0 || settings.Settings is null)
        {
            return new LocalOptionsParseResult(null, false, errors);
        }

        downstream ??= DownstreamTarget.At(settings.Settings.DownstreamUrl);
        var serviceIdGiven = given.ContainsKey("--service-id")
            || (fileValues.TryGetValue(CircuitSettingKeys.ServiceId.ConfigKey, out var serviceId) && !string.IsNullOrWhiteSpace(serviceId));
        return new LocalOptionsParseResult(new LocalOptions(port, downstream, settings.Settings, serviceIdGiven, configFile), false, []);
    }

    // Routes from --route (which replace the file's downstreamUrl, serviceId and routes) or from the file.
    private static LocalOptionsParseResult BuildRoutes(
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

    private static string? OptionFor(CircuitSetting setting) =>
        setting == CircuitSettingKeys.DownstreamUrl ? "--downstream" : SettingOptions.FirstOrDefault(pair => pair.Value == setting).Key;

    private static bool IsKnown(string name) =>
        name is "--port" or "--downstream" or "--config" or "--route" || SettingOptions.ContainsKey(name);

    private static string ExpectedForm(string name) => name switch
    {
        "--port" => PortForm,
        "--downstream" => DownstreamForm,
        "--config" => StackConfigFile.ExpectedForm,
        "--route" => RouteForm,
        _ => SettingOptions[name].ExpectedForm,
    };
}
