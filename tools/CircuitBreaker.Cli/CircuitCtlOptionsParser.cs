using System.Globalization;
using CircuitBreaker.Contract;

namespace CircuitBreaker.Cli;

/// <summary>The outcome of parsing: options, or the first problem, or a request for help.</summary>
/// <param name="Options">The options, when valid.</param>
/// <param name="Error">What is wrong, in one line, when not.</param>
/// <param name="HelpRequested">True for <c>--help</c> or no arguments.</param>
internal sealed record CircuitCtlParseResult(CircuitCtlOptions? Options, string? Error, bool HelpRequested = false);

/// <summary>Parses circuitctl's command line; flags are spelled as the AWS CLI spells them.</summary>
internal static class CircuitCtlOptionsParser
{
    /// <summary>The usage text.</summary>
    public const string Usage = """
        circuitctl: look at and control a circuit of the EventBridge circuit breaker.

        Usage: circuitctl <command> --table <name> [options]

        Commands:
          status     state, failures in the window, open until / probe lease, last change
          isolate    hold the circuit open until released: requests get 503 (circuit isolated);
                     failures and probes no longer change it
          close      close it now (releases an isolated circuit); failures before now stop counting
          reset      the same as close

        Options:
          --table <name>             the breaker's DynamoDB table, e.g. --table "$(pulumi stack output tableName)"
          --service <id>             the circuit (default: the table's only circuit; status without it shows every circuit)
          --region <region>          AWS region (default: AWS_REGION or AWS_DEFAULT_REGION)
          --endpoint-url <url>       DynamoDB endpoint, e.g. the local host's (its banner prints the command)
          --event-bus-name <name>    publish the state change on this bus, e.g. "$(pulumi stack output eventBusName)"
          --events-endpoint-url <url> EventBridge endpoint (default: AWS_ENDPOINT_URL_EVENTS, else the region's)
          --reason <text>            why, recorded in the state-change event
          --window-seconds <s>       how far back status counts failures (default 60, the breaker's default window)
          --help                     this text

        Credentials are your own, from the AWS SDK's usual chain (environment, profile, SSO).
        Exit codes: 0 done, 1 failed (table or circuit not found, AWS error), 2 bad arguments.
        """;

    /// <summary>Parses <paramref name="args"/>; <paramref name="environment"/> supplies the region and events endpoint defaults.</summary>
    public static CircuitCtlParseResult Parse(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(environment);
        if (args.Count == 0 || args.Any(arg => arg is "--help" or "-h" or "help"))
        {
            return new CircuitCtlParseResult(null, null, HelpRequested: true);
        }

        CircuitCtlAction action;
        switch (args[0])
        {
            case "status": action = CircuitCtlAction.Status; break;
            case "isolate": action = CircuitCtlAction.Isolate; break;
            case "close" or "reset": action = CircuitCtlAction.Close; break;
            default: return Fail($"unknown command '{args[0]}': expected status, isolate, close or reset");
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 1; i < args.Count; i++)
        {
            var arg = args[i];
            string name;
            string? value = null;
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (arg.StartsWith("--", StringComparison.Ordinal) && equals > 0)
            {
                (name, value) = (arg[..equals], arg[(equals + 1)..]);
            }
            else
            {
                name = arg;
            }

            if (name is not ("--table" or "--service" or "--region" or "--endpoint-url" or "--event-bus-name" or "--events-endpoint-url" or "--reason" or "--window-seconds"))
            {
                return Fail($"unknown option '{arg}' (see --help)");
            }

            if (value is null)
            {
                if (i + 1 >= args.Count)
                {
                    return Fail($"{name} needs a value");
                }

                value = args[++i];
            }

            if (values.ContainsKey(name))
            {
                return Fail($"{name} is given twice");
            }

            values[name] = value;
        }

        var table = values.GetValueOrDefault("--table");
        if (string.IsNullOrWhiteSpace(table))
        {
            return Fail("--table is required, e.g. --table \"$(pulumi stack output tableName)\"");
        }

        var endpoint = values.TryGetValue("--endpoint-url", out var endpointText) ? HttpUrl(endpointText) : null;
        if (endpointText is not null && endpoint is null)
        {
            return Fail($"--endpoint-url '{endpointText}' is not an absolute http or https URL");
        }

        var eventsText = values.GetValueOrDefault("--events-endpoint-url") ?? Blank(environment(FunctionEnvironment.EventsEndpointUrl));
        var eventsEndpoint = eventsText is null ? null : HttpUrl(eventsText);
        if (eventsText is not null && eventsEndpoint is null)
        {
            return Fail($"--events-endpoint-url '{eventsText}' is not an absolute http or https URL");
        }

        var region = values.GetValueOrDefault("--region") ?? Blank(environment("AWS_REGION")) ?? Blank(environment("AWS_DEFAULT_REGION"));
        if (region is null && endpoint is not null && endpoint.IsLoopback)
        {
            // A local endpoint ignores the signature's region; the local host signs for us-east-1.
            region = "us-east-1";
        }

        if (string.IsNullOrWhiteSpace(region))
        {
            return Fail("no region: pass --region or set AWS_REGION");
        }

        var service = values.GetValueOrDefault("--service");
        if (service is not null && !CircuitSettingsReader.IsValidServiceId(service))
        {
            return Fail($"--service '{service}' is not a valid service id");
        }

        var window = TimeSpan.FromSeconds(double.Parse(CircuitSettingKeys.WindowSeconds.DefaultValue!, CultureInfo.InvariantCulture));
        if (values.TryGetValue("--window-seconds", out var windowText))
        {
            if (!double.TryParse(windowText, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || !(seconds > 0) || double.IsInfinity(seconds))
            {
                return Fail($"--window-seconds '{windowText}' is not a positive number of seconds");
            }

            window = TimeSpan.FromSeconds(seconds);
        }

        var bus = values.GetValueOrDefault("--event-bus-name");
        if (bus is not null && string.IsNullOrWhiteSpace(bus))
        {
            return Fail("--event-bus-name is empty");
        }

        return new CircuitCtlParseResult(
            new CircuitCtlOptions(action, table.Trim(), region.Trim(), endpoint, service, bus, eventsEndpoint, window, values.GetValueOrDefault("--reason")),
            null);
    }

    private static CircuitCtlParseResult Fail(string error) => new(null, error);

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static Uri? HttpUrl(string text) =>
        Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) ? uri : null;
}
