using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using CircuitBreaker.Contract;

namespace CircuitBreaker.Local.Cli;

/// <summary>
/// The local host's command line, parsed by System.CommandLine. Every breaker setting of the contract
/// (<see cref="CircuitSettingKeys.All"/>) is an option named after its config key in kebab-case
/// (<c>failureThreshold</c> is <c>--failure-threshold</c>), so a setting added to the contract is an option here, in
/// <c>--help</c>, with no edit. Values stay raw text: the contract's readers validate them, as the stack does. Errors
/// are our one-line messages rather than System.CommandLine's help-on-error.
/// </summary>
internal static class LocalCommandLine
{
    public const string PortForm = "a port number from 0 to 65535 (0 = any free port)";
    public const string DownstreamForm = "an absolute http(s) URL or simulate:hang, simulate:fail, simulate:ok or simulate:flap";
    public const string SimulatePrefix = "simulate:";
    public const string RouteForm = "PREFIX=TARGET[,KEY=VALUE...], e.g. /orders=simulate:hang or /pay=http://127.0.0.1:8080/,serviceId=pay,stripPrefix=true "
        + "(TARGET as for --downstream; KEY any route key)";
    public const string ConfigForm = "a stack config file Pulumi.<stack>.yaml, with the project's Pulumi.yaml in the same folder";
    public const string DynamoDbEndpointForm = "an absolute http(s) URL without user, query or fragment, e.g. http://127.0.0.1:8000 (DynamoDB Local) "
        + "or https://dynamodb.eu-west-1.amazonaws.com";
    public const string EventDeliveryLatencyForm = "a number of seconds from 0 to 60, fractions allowed (e.g. 0.13)";

    /// <summary>The host option naming a DynamoDB to use instead of starting dynalite.</summary>
    public const string DynamoDbEndpoint = "--dynamodb-endpoint";

    /// <summary>The host option delaying the local EventBridge's deliveries.</summary>
    public const string EventDeliveryLatency = "--event-delivery-latency-seconds";

    private const string Port = "--port";
    private const string Route = "--route";
    private const string Config = "--config";

    // The names the options had before they were derived from the contract, kept as aliases.
    private static readonly Dictionary<string, string> ShortAliases = new(StringComparer.Ordinal)
    {
        [CircuitSettingKeys.DownstreamUrl.ConfigKey] = "--downstream",
        [CircuitSettingKeys.DownstreamTimeoutSeconds.ConfigKey] = "--timeout-seconds",
    };

    // Help for the settings that have more to say than their contract entry; any other setting is described from it.
    private static readonly Dictionary<string, (string Value, string Text)> SettingHelp = new(StringComparer.Ordinal)
    {
        [CircuitSettingKeys.DownstreamUrl.ConfigKey] = ("TARGET", "URL of a real downstream, or simulate:hang|simulate:fail|simulate:ok|simulate:flap (default simulate:hang)"),
        [CircuitSettingKeys.DownstreamTimeoutSeconds.ConfigKey] = ("S", "downstream call timeout"),
        [CircuitSettingKeys.FailureThreshold.ConfigKey] = ("N", "failures within the window that open the circuit"),
        [CircuitSettingKeys.WindowSeconds.ConfigKey] = ("S", "how far back failures count"),
        [CircuitSettingKeys.OpenSeconds.ConfigKey] = ("S", "how long the circuit stays open before one probe"),
        [CircuitSettingKeys.FailOpen.ConfigKey] = ("true|false", "call the downstream when the breaker's store is unreachable"),
        [CircuitSettingKeys.ServiceId.ConfigKey] = ("ID", "the circuit's key (default: the downstream URL's host)"),
        [CircuitSettingKeys.FailureRatio.ConfigKey] = ("R", "ratio mode: open when failures / calls within the window reach R (0 < R <= 1); unset keeps count mode"),
        [CircuitSettingKeys.MinimumThroughput.ConfigKey] = ("N", "ratio mode: calls within the window before the ratio may open"),
        [CircuitSettingKeys.SlowCallSeconds.ConfigKey] = ("S", "publish a call still pending after S as failed (reason slow), below the timeout (default: off)"),
        [CircuitSettingKeys.MaxOpenSeconds.ConfigKey] = ("S", "each failed probe doubles the open period up to S, with +-10 % jitter (default: the open period, no backoff)"),
        [CircuitSettingKeys.MetricsNamespace.ConfigKey] = ("NS", "CloudWatch namespace of the metrics in the functions' log lines"),
    };

    /// <summary>The option of a setting: <c>--</c> and its config key in kebab-case.</summary>
    public static string OptionName(CircuitSetting setting)
    {
        ArgumentNullException.ThrowIfNull(setting);
        var name = new System.Text.StringBuilder("--");
        foreach (var c in setting.ConfigKey)
        {
            _ = char.IsAsciiLetterUpper(c) ? name.Append('-').Append(char.ToLowerInvariant(c)) : name.Append(c);
        }

        return name.ToString();
    }

    /// <summary>Every name a setting's option answers to: its kebab-case name, then its short alias if it has one.</summary>
    public static IReadOnlyList<string> OptionNames(CircuitSetting setting) =>
        ShortAliases.TryGetValue(setting.ConfigKey, out var alias) ? [OptionName(setting), alias] : [OptionName(setting)];

    /// <summary>Parses <paramref name="args"/>: the help text, or the values given (raw), or every problem.</summary>
    public static LocalCommandLineResult Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var line = Build();
        var parsed = line.Root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parsed.Action is HelpAction)
        {
            using var help = new StringWriter();
            parsed.Invoke(new InvocationConfiguration { Output = help, Error = help });
            return new LocalCommandLineResult { HelpText = help + Footer };
        }

        var errors = UnknownTokens(parsed.UnmatchedTokens);
        GivenValue? Single(Option option, string form)
        {
            if (parsed.GetResult(option) is not { } given)
            {
                return null;
            }

            var name = given.IdentifierToken?.Value ?? option.Name;
            if (given.Tokens.Count != 1)
            {
                errors.Add(given.Tokens.Count == 0 ? $"{name} needs a value: expected {form}." : $"{name} is given more than once: expected it once.");
                return null;
            }

            return new GivenValue(given.Tokens[0].Value, name);
        }

        var values = new Dictionary<string, GivenValue>(StringComparer.Ordinal);
        foreach (var (setting, option) in line.Settings)
        {
            if (Single(option, setting == CircuitSettingKeys.DownstreamUrl ? DownstreamForm : setting.ExpectedForm) is { } given)
            {
                values[setting.ConfigKey] = given;
            }
        }

        var port = Single(line.Port, PortForm)?.Value;
        var config = Single(line.Config, ConfigForm)?.Value;
        var dynamoDbEndpoint = Single(line.DynamoDbEndpoint, DynamoDbEndpointForm)?.Value;
        var eventDeliveryLatency = Single(line.EventDeliveryLatency, EventDeliveryLatencyForm)?.Value;
        if (parsed.GetResult(line.Route) is { Tokens.Count: 0 })
        {
            errors.Add($"{Route} needs a value: expected {RouteForm}.");
        }

        // Anything else System.CommandLine found wrong that the checks above did not word already.
        if (errors.Count == 0)
        {
            errors.AddRange(parsed.Errors.Select(error => error.Message));
        }

        var routes = parsed.GetResult(line.Route)?.Tokens.Select(token => token.Value).ToList() ?? [];
        return new LocalCommandLineResult
        {
            Errors = errors,
            Port = port,
            ConfigFile = config,
            Routes = routes,
            Settings = values,
            DynamoDbEndpoint = dynamoDbEndpoint,
            EventDeliveryLatency = eventDeliveryLatency,
        };
    }

    private static CommandLineOptions Build()
    {
        var root = new RootCommand(string.Join(Environment.NewLine,
            "dotnet run --project local -- [options]",
            "Runs the circuit breaker on this machine: HTTP API, both functions, EventBridge, DynamoDB (dynalite, or --dynamodb-endpoint)",
            "and a downstream simulator, all on 127.0.0.1. Seconds accept fractions (e.g. 0.2). Each breaker setting",
            "is the option of its config key in kebab-case (failureThreshold: --failure-threshold)."));
        root.Options.Remove(root.Options.OfType<VersionOption>().First());
        foreach (var help in root.Options.Select(option => option.Action).OfType<HelpAction>())
        {
            help.MaxWidth = 120;
        }

        var port = new Option<string>(Port) { HelpName = "N", Description = $"HTTP API port (default {LocalOptions.DefaultPort}; 0 = any free port)" };
        root.Options.Add(port);
        var settings = new List<(CircuitSetting, Option<string>)>();
        foreach (var setting in CircuitSettingKeys.All)
        {
            var names = OptionNames(setting);
            var (value, text) = SettingHelp.GetValueOrDefault(setting.ConfigKey, ("VALUE", $"{setting.ConfigKey}: {setting.ExpectedForm}"));
            var byDefault = setting.DefaultValue is { } given && !text.Contains("(default", StringComparison.Ordinal) ? $" (default {given})" : string.Empty;
            var option = new Option<string>(names[0], [.. names.Skip(1)]) { HelpName = value, Description = text + byDefault };
            root.Options.Add(option);
            settings.Add((setting, option));
        }

        var route = new Option<string[]>(Route)
        {
            HelpName = "PREFIX=TARGET[,KEY=VALUE...]",
            Arity = ArgumentArity.ZeroOrMore,
            AllowMultipleArgumentsPerToken = false,
            Description = "a route: requests under PREFIX go to TARGET (a URL or simulate:MODE, each simulated route with its own simulator), "
                + "behind their own circuit; repeat for more routes. Longest prefix wins; no match is a 404. The setting options apply to every route; "
                + $"a route's own settings follow its target as ,KEY=VALUE, any of: {string.Join(", ", RouteKeys.All.Where(key => key != RouteKeys.Prefix && key != CircuitSettingKeys.DownstreamUrl.ConfigKey))} "
                + "(e.g. /a=http://127.0.0.1:9001/,serviceId=a,stripPrefix=true). Replaces --downstream and the config file's downstreamUrl and routes",
        };
        var config = new Option<string>(Config)
        {
            HelpName = "FILE",
            Description = "take the settings from a stack's Pulumi.<stack>.yaml (the options override it), including its routes list "
                + "(downstreamUrl may be simulate:MODE there too)",
        };
        var dynamoDbEndpoint = new Option<string>(DynamoDbEndpoint)
        {
            HelpName = "URL",
            Description = "use this DynamoDB (DynamoDB Local, a proxy, or AWS's) instead of starting dynalite; the table is created there if missing. "
                + "The functions sign with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN from this environment, or dummy "
                + "credentials when they are not set, for AWS_REGION (else AWS_DEFAULT_REGION, else us-east-1)",
        };
        var eventDeliveryLatency = new Option<string>(EventDeliveryLatency)
        {
            HelpName = "S",
            Description = "the local EventBridge delivers each matched event to its targets S seconds after accepting it (default 0). "
                + "AWS published a P99 of 129.33 ms for EventBridge event buses' end-to-end latency (What's New, November 2024): "
                + "0.13 runs with it",
        };
        root.Options.Add(route);
        root.Options.Add(config);
        root.Options.Add(dynamoDbEndpoint);
        root.Options.Add(eventDeliveryLatency);
        return new CommandLineOptions(root, port, config, route, settings, dynamoDbEndpoint, eventDeliveryLatency);
    }

    private static string Footer { get; } = "The simulator is switched at run time with: curl -X PUT --data flap http://127.0.0.1:<simulator port>/mode" + Environment.NewLine;

    private sealed record CommandLineOptions(
        RootCommand Root,
        Option<string> Port,
        Option<string> Config,
        Option<string[]> Route,
        IReadOnlyList<(CircuitSetting Setting, Option<string> Option)> Settings,
        Option<string> DynamoDbEndpoint,
        Option<string> EventDeliveryLatency);

    // An unknown option's value comes right after it and is not worth a message of its own.
    private static List<string> UnknownTokens(IReadOnlyList<string> unmatched)
    {
        var errors = new List<string>();
        for (var i = 0; i < unmatched.Count; i++)
        {
            var token = unmatched[i];
            if (token.StartsWith('-'))
            {
                var name = token.Split('=', 2)[0];
                errors.Add($"{name}: unknown option.");
            }
            else if (i == 0 || !unmatched[i - 1].StartsWith('-'))
            {
                errors.Add($"'{UrlRedaction.WithoutUserInfo(token)}' is not an option: options start with '--'.");
            }
        }

        return errors;
    }
}

/// <summary>An option's raw value and the name it was given under (an alias, perhaps), for messages.</summary>
internal sealed record GivenValue(string Value, string Option);

/// <summary>What <see cref="LocalCommandLine.Parse"/> read.</summary>
internal sealed record LocalCommandLineResult
{
    /// <summary>The help text when <c>--help</c> was given; null otherwise.</summary>
    public string? HelpText { get; init; }

    /// <summary>Every problem, one line each.</summary>
    public IReadOnlyList<string> Errors { get; init; } = [];

    /// <summary><c>--port</c> as given.</summary>
    public string? Port { get; init; }

    /// <summary><c>--config</c> as given.</summary>
    public string? ConfigFile { get; init; }

    /// <summary>Each <c>--route</c>, in order.</summary>
    public IReadOnlyList<string> Routes { get; init; } = [];

    /// <summary>The settings given as options, by config key.</summary>
    public IReadOnlyDictionary<string, GivenValue> Settings { get; init; } = new Dictionary<string, GivenValue>();

    /// <summary><c>--dynamodb-endpoint</c> as given.</summary>
    public string? DynamoDbEndpoint { get; init; }

    /// <summary><c>--event-delivery-latency-seconds</c> as given.</summary>
    public string? EventDeliveryLatency { get; init; }
}
