using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Globalization;
using CircuitBreaker.Contract;

namespace CircuitBreaker.Cli;

/// <summary>The outcome of parsing: options, or the first problem in one line, or a request for help or the version.</summary>
/// <param name="Options">The options, when valid.</param>
/// <param name="Error">What is wrong, in one line, when not.</param>
/// <param name="Informational">A parse whose action (help, version) prints something and ends the run.</param>
internal sealed record CircuitCtlParseResult(CircuitCtlOptions? Options, string? Error, ParseResult? Informational = null);

/// <summary>
/// circuitctl's command line, parsed by System.CommandLine: the flags are spelled as the AWS CLI spells them, and
/// <c>--help</c> is generated from the commands and options below. An option's value is always a value, even when it
/// reads <c>-h</c> or <c>help</c>.
/// </summary>
internal sealed class CircuitCtlCommandLine
{
    /// <summary>How long DynamoDB's calls may take in all when <c>--timeout-seconds</c> is not given.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private const string CommandNames = "status, isolate, close, reset or deferred";

    // What the options' table cannot say, printed after it in every --help.
    private const string Notes = """
        isolate, close and reset refuse a circuit the table holds no item of (state, failure or success counter), listing
        the circuits it holds, so that a typo creates nothing; --create acts on such a circuit all the same.
        DynamoDB's calls get --timeout-seconds in all (default 10 s), retries included, then circuitctl says which call
        did not answer; publishing the state change gets as long again.
        Credentials are your own, from the AWS SDK's usual chain (environment, profile, SSO).
        deferred lists, replays (a 'Deferred Replay Requested' event on --event-bus-name, which the replayer's rule
        matches) or drops (--id ID, or --all) the requests whenOpen: defer stored while the circuit was open.
        Exit codes: 0 done, 1 failed (table or circuit not found, DynamoDB unreachable, too slow or not DynamoDB, an AWS
        error), 2 bad arguments, 130 interrupted (Ctrl+C). Every problem is one line on stderr.
        """;

    // The breaker's own settings accept at most a year (CircuitSettingsReader); a longer window means nothing here either.
    private static readonly TimeSpan LongestWindow = TimeSpan.FromDays(365);
    private static readonly TimeSpan LongestTimeout = TimeSpan.FromHours(1);

    private readonly Option<string> _table = Text("--table", "name", "the breaker's DynamoDB table (required), e.g. --table \"$(pulumi stack output tableName)\"");
    private readonly Option<string> _service = Text("--service", "id", "the circuit (default: the table's only circuit; status without it shows every circuit)");
    private readonly Option<string> _region = Text("--region", "region", "AWS region (default: AWS_REGION or AWS_DEFAULT_REGION)");
    private readonly Option<Uri?> _endpoint = Url("--endpoint-url", "DynamoDB endpoint, e.g. the local host's (its banner prints the command)");
    private readonly Option<string> _bus = Text("--event-bus-name", "name", "publish the state change on this bus, e.g. \"$(pulumi stack output eventBusName)\"");
    private readonly Option<Uri?> _eventsEndpoint = Url("--events-endpoint-url", "EventBridge endpoint (default: AWS_ENDPOINT_URL_EVENTS, else the region's)");
    private readonly Option<string> _reason = Text("--reason", "text", "why, recorded in the state-change event");
    private readonly Option<TimeSpan?> _window = Seconds(
        "--window-seconds", LongestWindow, "how far back status counts failures (default 60, the breaker's default window; at most a year)");
    private readonly Option<TimeSpan?> _timeout = Seconds(
        "--timeout-seconds", LongestTimeout, "how long to wait for DynamoDB, all calls and retries together (default 10 s); as long again for EventBridge");
    private readonly Option<string> _id = Text("--id", "id", "the deferred request to drop (as in Circuit-Breaker-Deferred-Id and 'deferred list')");
    private readonly Option<bool> _all = new("--all") { Description = "drop every deferred request of the circuit" };
    private readonly Option<bool> _create = new("--create")
    {
        Description = "act on a circuit the table holds no item of yet, e.g. to isolate a route's circuit before it ever failed",
    };

    private readonly Func<string, string?> _environment;
    private readonly RootCommand _root;
    private readonly Dictionary<Command, CircuitCtlAction> _actions = [];

    /// <summary>A parser whose defaults (region, EventBridge endpoint) come from <paramref name="environment"/>.</summary>
    public CircuitCtlCommandLine(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        _environment = environment;
        _root = new RootCommand("circuitctl: look at and control a circuit of the EventBridge circuit breaker.") { HelpName = "circuitctl" };
        foreach (var option in new Option[] { _table, _service, _region, _endpoint, _bus, _eventsEndpoint, _reason, _window, _timeout })
        {
            // On every command, before or after its name, as the hand-written parser accepted them.
            option.Recursive = true;
            _root.Add(option);
        }

        Add(new Command("status", "state, failures in the window, open until / probe lease, last change"), CircuitCtlAction.Status);
        Add(new Command("isolate", "hold the circuit open until released: requests get 503 (circuit isolated); failures and probes no longer change it") { _create }, CircuitCtlAction.Isolate);
        var close = new Command("close", "close it now (releases an isolated circuit); failures before now stop counting") { _create };
        close.Aliases.Add("reset");
        Add(close, CircuitCtlAction.Close);
        var deferred = new Command("deferred", "the requests whenOpen: defer stored while the circuit was open");
        _root.Add(deferred);
        Add(deferred, new Command("list", "one line per deferred request, oldest first: id, arrival, method, path, size, attempts"), CircuitCtlAction.DeferredList);
        Add(deferred, new Command("replay", "ask the replayer to replay them now, through the breaker (needs --event-bus-name)"), CircuitCtlAction.DeferredReplay);
        Add(deferred, new Command("drop", "delete one (--id) or all (--all) of them; they are never sent") { _id, _all }, CircuitCtlAction.DeferredDrop);

        var help = _root.Options.OfType<HelpOption>().Single();
        var generated = (HelpAction)help.Action!;
        generated.MaxWidth = 120;
        help.Action = new HelpWithNotes(generated);
    }

    /// <summary>Parses <paramref name="args"/>: no arguments, or <c>help</c> first, asks for the help.</summary>
    public CircuitCtlParseResult Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        IReadOnlyList<string> words = args.Count == 0 ? ["--help"] : args[0] == "help" ? [.. args.Skip(1), "--help"] : args;
        var parsed = _root.Parse(words);
        if (parsed.Action is not null and not ParseErrorAction)
        {
            return new CircuitCtlParseResult(null, null, parsed);
        }

        if (parsed.Errors.Count > 0 || !_actions.TryGetValue(parsed.CommandResult.Command, out var action))
        {
            return new CircuitCtlParseResult(null, FirstProblem(parsed, words));
        }

        return Validate(parsed, action);
    }

    private void Add(Command command, CircuitCtlAction action) => Add(_root, command, action);

    private void Add(Command parent, Command command, CircuitCtlAction action)
    {
        parent.Add(command);
        _actions[command] = action;
    }

    // What needs more than one option, or the environment: checked once the syntax is right.
    private CircuitCtlParseResult Validate(ParseResult parsed, CircuitCtlAction action)
    {
        var table = parsed.GetValue(_table);
        if (string.IsNullOrWhiteSpace(table))
        {
            return Fail("--table is required, e.g. --table \"$(pulumi stack output tableName)\"");
        }

        var endpoint = parsed.GetValue(_endpoint);
        var eventsEndpoint = parsed.GetValue(_eventsEndpoint);
        var eventsText = eventsEndpoint is null ? Blank(_environment(FunctionEnvironment.EventsEndpointUrl)) : null;
        if (eventsText is not null && (eventsEndpoint = HttpUrl(eventsText)) is null)
        {
            return Fail($"{FunctionEnvironment.EventsEndpointUrl} '{eventsText}' is not an absolute http or https URL");
        }

        var region = Blank(parsed.GetValue(_region)) ?? Blank(_environment("AWS_REGION")) ?? Blank(_environment("AWS_DEFAULT_REGION"));
        if (region is null && endpoint is { IsLoopback: true })
        {
            // A local endpoint ignores the signature's region; the local host signs for us-east-1.
            region = "us-east-1";
        }

        if (region is null)
        {
            return Fail("no region: pass --region or set AWS_REGION");
        }

        var service = parsed.GetValue(_service);
        if (service is not null && !CircuitSettingsReader.IsValidServiceId(service))
        {
            return Fail($"--service '{service}' is not a valid service id");
        }

        var bus = parsed.GetValue(_bus);
        if (bus is not null && string.IsNullOrWhiteSpace(bus))
        {
            return Fail("--event-bus-name is empty");
        }

        var deferredId = action == CircuitCtlAction.DeferredDrop ? parsed.GetValue(_id) : null;
        var all = action == CircuitCtlAction.DeferredDrop && parsed.GetResult(_all) is not null && parsed.GetValue(_all);
        if (action == CircuitCtlAction.DeferredDrop && (deferredId is null) == !all)
        {
            return Fail("deferred drop needs --id ID or --all (one of them)");
        }

        if (action == CircuitCtlAction.DeferredReplay && bus is null)
        {
            return Fail("deferred replay needs --event-bus-name: the replayer hears of it on the bus, e.g. --event-bus-name \"$(pulumi stack output eventBusName)\"");
        }

        var window = parsed.GetValue(_window)
            ?? TimeSpan.FromSeconds(double.Parse(CircuitSettingKeys.WindowSeconds.DefaultValue!, CultureInfo.InvariantCulture));
        var create = parsed.GetResult(_create) is not null && parsed.GetValue(_create);
        return new CircuitCtlParseResult(
            new CircuitCtlOptions(
                action, table.Trim(), region, endpoint, service, bus, eventsEndpoint, window, parsed.GetValue(_reason), create, parsed.GetValue(_timeout) ?? DefaultTimeout)
            {
                DeferredId = deferredId,
                AllDeferred = all,
            },
            null);
    }

    // One line for the first problem, in the hand-written parser's words where System.CommandLine's say less.
    private static string FirstProblem(ParseResult parsed, IReadOnlyList<string> words)
    {
        if (parsed.CommandResult.Command.Name == "deferred")
        {
            return parsed.UnmatchedTokens.Count > 0 && !parsed.UnmatchedTokens[0].StartsWith('-')
                ? $"unknown deferred command '{parsed.UnmatchedTokens[0]}': expected list, replay or drop"
                : "deferred needs a command: list, replay or drop (see --help)";
        }

        if (parsed.CommandResult.Command is RootCommand)
        {
            return words[0].StartsWith('-')
                ? $"no command: expected {CommandNames} first (see --help)"
                : $"unknown command '{words[0]}': expected {CommandNames}";
        }

        if (parsed.UnmatchedTokens.Count > 0)
        {
            var unmatched = parsed.UnmatchedTokens[0];
            return unmatched.StartsWith('-') ? $"unknown option '{unmatched}' (see --help)" : $"unexpected argument '{unmatched}' (see --help)";
        }

        var error = parsed.Errors[0];
        return error.SymbolResult is OptionResult { Tokens.Count: 0 } missing && missing.Option.Arity.MinimumNumberOfValues > 0
            ? $"{missing.Option.Name} needs a value"
            : error.Message;
    }

    private static CircuitCtlParseResult Fail(string error) => new(null, error);

    private static Option<string> Text(string name, string helpName, string description) => new(name) { Description = description, HelpName = helpName };

    private static Option<Uri?> Url(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "url",
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
            if (HttpUrl(text) is { } url)
            {
                return url;
            }

            result.AddError($"{name} '{text}' is not an absolute http or https URL");
            return null;
        },
    };

    // A positive, finite number of seconds up to most; anything larger would overflow the clock arithmetic (1e30).
    private static Option<TimeSpan?> Seconds(string name, TimeSpan most, string description) => new(name)
    {
        Description = description,
        HelpName = "seconds",
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0 && seconds <= most.TotalSeconds)
            {
                return TimeSpan.FromSeconds(seconds);
            }

            result.AddError(string.Create(CultureInfo.InvariantCulture, $"{name} '{text}' is not a positive number of seconds up to {most.TotalSeconds}"));
            return null;
        },
    };

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static Uri? HttpUrl(string text) =>
        Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) ? uri : null;

    /// <summary>The generated help, then the notes.</summary>
    private sealed class HelpWithNotes(HelpAction generated) : SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => generated.ClearsParseErrors;

        public override int Invoke(ParseResult parseResult)
        {
            var exit = generated.Invoke(parseResult);
            parseResult.InvocationConfiguration.Output.WriteLine(Notes);
            return exit;
        }
    }
}
