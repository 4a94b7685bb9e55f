using System.Globalization;
using System.Text.Json;
using CircuitBreaker.Contract;
using CircuitBreaker.Functions.Runtime;
using CircuitBreaker.Local.Cli;
using CircuitBreaker.Local.Downstream;
using CircuitBreaker.Local.EventBridge;
using CircuitBreaker.Local.HttpApi;
using CircuitBreaker.Local.LambdaService;
using CircuitBreaker.Local.Sqs;

namespace CircuitBreaker.Local.Hosting;

/// <summary>
/// The local servers composed: the downstream simulator (when simulated), the Lambda service serving the
/// webservice and the recorder, EventBridge routing matching failure events to the recorder, and the HTTP API
/// in front of the webservice. Function instances are started by <c>runInstance</c> with their environment.
/// </summary>
internal sealed class LocalSystem : IAsyncDisposable
{
    /// <summary>The local bus's name.</summary>
    public const string BusName = "circuit-breaker-failures";

    /// <summary>The local table's name.</summary>
    public const string TableName = "circuit-breaker";

    /// <summary>The local region.</summary>
    public const string Region = "us-east-1";

    /// <summary>How long the recorder may take per event: the stack's default timeout for it.</summary>
    public static readonly TimeSpan RecorderTimeout = TimeSpan.FromSeconds(RecorderDefaults.TimeoutSeconds);

    /// <summary>How long the replayer may take per event: the stack's timeout for it.</summary>
    public static readonly TimeSpan ReplayerTimeout = TimeSpan.FromSeconds(ReplayerDefaults.TimeoutSeconds);

    private readonly List<IAsyncDisposable> _started = [];

    private LocalSystem()
    {
    }

    /// <summary>The simulator, when the downstream is simulated (with routes: the first simulated route's).</summary>
    public DownstreamSimulator? Simulator { get; private set; }

    /// <summary>The routes the webservice serves: one route, prefix "/", without route options.</summary>
    public RouteTable Routes { get; private set; } = null!;

    /// <summary>Each route's simulator by prefix, for the simulated routes.</summary>
    public IReadOnlyDictionary<string, DownstreamSimulator> Simulators { get; private set; } = new Dictionary<string, DownstreamSimulator>();

    /// <summary>The Lambda service.</summary>
    public LocalLambdaService Lambda { get; private set; } = null!;

    /// <summary>The Lambda service's asynchronous invocation of the recorder: where its function errors are retried.</summary>
    public AsyncInvocations RecorderInvocations { get; private set; } = null!;

    /// <summary>The Lambda service's asynchronous invocation of the replayer, as its rule invokes it.</summary>
    public AsyncInvocations ReplayerInvocations { get; private set; } = null!;

    /// <summary>The replayer's dead-letter queue.</summary>
    public LocalDeadLetterQueue DeadLetterQueue { get; private set; } = null!;

    /// <summary>The EventBridge endpoint.</summary>
    public LocalEventBridge Events { get; private set; } = null!;

    /// <summary>The HTTP API.</summary>
    public HttpApiGateway Api { get; private set; } = null!;

    /// <summary>The local DynamoDB's endpoint, when one runs.</summary>
    public Uri? DynamoDbEndpoint { get; private set; }

    /// <summary>What the functions sign with.</summary>
    public FunctionCredentials Credentials { get; private set; } = FunctionCredentials.Dummy;

    /// <summary>True when the DynamoDB was given with <c>--dynamodb-endpoint</c> rather than started here.</summary>
    public bool DynamoDbGiven { get; private set; }

    /// <summary>The settings the functions run with (the simulator's URL resolved).</summary>
    public CircuitSettings Settings { get; private set; } = null!;

    /// <summary>Starts everything; on failure, stops what had started.</summary>
    /// <param name="options">The validated options.</param>
    /// <param name="runInstance">Runs one function instance with the given environment until the token is cancelled.</param>
    /// <param name="dynamoDbEndpoint">The local DynamoDB endpoint, if one runs.</param>
    /// <param name="time">The clock.</param>
    /// <param name="log">Where the servers report dead-lettered events and crashed instances.</param>
    /// <param name="onRequest">Told about every HTTP API request.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<LocalSystem> StartAsync(
        LocalOptions options,
        Func<Func<string, string?>, CancellationToken, Task> runInstance,
        Uri? dynamoDbEndpoint,
        TimeProvider time,
        TextWriter log,
        Action<HttpApiRequestSummary>? onRequest,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var system = new LocalSystem();
        try
        {
            await system.StartCoreAsync(options, runInstance, dynamoDbEndpoint, time, log, onRequest, cancellationToken).ConfigureAwait(false);
            return system;
        }
        catch
        {
            await system.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        for (var i = _started.Count - 1; i >= 0; i--)
        {
            await _started[i].DisposeAsync().ConfigureAwait(false);
        }

        _started.Clear();
    }

    private async Task StartCoreAsync(
        LocalOptions options,
        Func<Func<string, string?>, CancellationToken, Task> runInstance,
        Uri? dynamoDbEndpoint,
        TimeProvider time,
        TextWriter log,
        Action<HttpApiRequestSummary>? onRequest,
        CancellationToken cancellationToken)
    {
        if (options.Routes is { } routes)
        {
            // One simulator per simulated route, so that each route's downstream has its own mode and its own counts.
            var simulators = new Dictionary<int, DownstreamSimulator>();
            for (var i = 0; i < routes.Targets.Count; i++)
            {
                if (routes.Targets[i].SimulatorMode is { } routeMode)
                {
                    simulators[i] = await DownstreamSimulator.StartAsync(routeMode, 0, cancellationToken).ConfigureAwait(false);
                    _started.Add(simulators[i]);
                }
            }

            Routes = routes.TableFor(index => simulators.GetValueOrDefault(index)?.BaseAddress);
            Simulators = simulators.ToDictionary(pair => Routes.Routes[pair.Key].Prefix, pair => pair.Value, StringComparer.Ordinal);
            Simulator = simulators.OrderBy(pair => pair.Key).Select(pair => pair.Value).FirstOrDefault();
            Settings = Routes.Routes[0].Circuit;
        }
        else
        {
            var downstreamUrl = options.Downstream.Url;
            if (options.Downstream.SimulatorMode is { } mode)
            {
                Simulator = await DownstreamSimulator.StartAsync(mode, 0, cancellationToken).ConfigureAwait(false);
                _started.Add(Simulator);
                downstreamUrl = Simulator.BaseAddress;
            }

            Settings = options.SettingsFor(downstreamUrl!);
            Routes = RouteTable.OneRoute(Settings);
        }

        DynamoDbEndpoint = dynamoDbEndpoint;

        // The environment needs the EventBridge and Lambda addresses, and instances start only after both exist.
        LocalFunctionEnvironment? environment = null;
        Lambda = new LocalLambdaService(
            [HandlerNames.Webservice, HandlerNames.Recorder, HandlerNames.Replayer],
            (function, stop) =>
            {
                var variables = environment!.For(function, Lambda.RuntimeApiFor(function));
                return runInstance(name => variables.TryGetValue(name, out var value) ? value : null, stop);
            },
            new LocalLambdaServiceOptions(Region),
            time,
            log);
        _started.Add(Lambda);
        await Lambda.StartAsync(0, cancellationToken).ConfigureAwait(false);

        // EventBridge invokes a Lambda target asynchronously: the bus retries only a refused invocation, and once the
        // Lambda service has the event, a function error is the Lambda service's to retry (docs/design.md).
        RecorderInvocations = new AsyncInvocations(Lambda, new AsyncInvocationOptions(), time, log);
        _started.Add(RecorderInvocations);
        var recorderRule = new EventRule(
            "failures-to-recorder",
            EventPatternMatcher.Parse(FailureEvents.EventPattern),
            async (envelope, stop) =>
            {
                var answer = await RecorderInvocations.InvokeAsync(HandlerNames.Recorder, envelope, RecorderTimeout, stop).ConfigureAwait(false);
                return answer.Accepted ? true : throw new TargetRefusedException(answer.Refusal ?? "the Lambda service refused the invocation");
            });
        var stateChangeRule = new EventRule(
            "state-changes-to-console",
            EventPatternMatcher.Parse(StateChangeEvents.EventPattern),
            (envelope, _) =>
            {
                log.WriteLine(DescribeStateChange(envelope));
                return Task.FromResult(true);
            });
        // The replayer's rule matches a state change to closed (and a replay request); the replayer runs asynchronously,
        // as EventBridge invokes it, and its failures to deliver a request go to its dead-letter queue.
        ReplayerInvocations = new AsyncInvocations(Lambda, new AsyncInvocationOptions(), time, log);
        _started.Add(ReplayerInvocations);
        DeadLetterQueue = await LocalDeadLetterQueue.StartAsync(log, cancellationToken).ConfigureAwait(false);
        _started.Add(DeadLetterQueue);
        var replayerRule = new EventRule(
            "close-to-replayer",
            EventPatternMatcher.Parse(EventPatterns.ReplayOnClose),
            async (envelope, stop) =>
            {
                var answer = await ReplayerInvocations.InvokeAsync(HandlerNames.Replayer, envelope, ReplayerTimeout, stop).ConfigureAwait(false);
                return answer.Accepted ? true : throw new TargetRefusedException(answer.Refusal ?? "the Lambda service refused the invocation");
            });
        Events = new LocalEventBridge(
            new LocalEventBridgeOptions(BusName, Region, DeliveryLatency: options.EventDeliveryLatency), [recorderRule, stateChangeRule, replayerRule], time, log);
        _started.Add(Events);
        await Events.StartAsync(0, cancellationToken).ConfigureAwait(false);

        Credentials = options.Credentials;
        DynamoDbGiven = options.DynamoDbEndpoint is not null;
        var functionVariables = new Dictionary<string, string>(Routes.ToEnvironment(), StringComparer.Ordinal)
        {
            [FunctionEnvironment.DeadLetterQueueUrl] = DeadLetterQueue.QueueUrl.AbsoluteUri,
        };
        environment = new LocalFunctionEnvironment(
            functionVariables, TableName, BusName, Credentials.Region, Events.BaseAddress, dynamoDbEndpoint, Credentials);

        var webserviceTimeout = TimeSpan.FromSeconds(Routes.WebserviceTimeoutSeconds);
        Api = new HttpApiGateway(
            new HttpApiGatewayOptions(),
            (payload, stop) => Lambda.InvokeAsync(HandlerNames.Webservice, payload, webserviceTimeout, stop),
            time,
            onRequest);
        _started.Add(Api);
        await Api.StartAsync(options.Port, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The console line of a state-change event that reached the local bus.</summary>
    internal static string DescribeStateChange(byte[] envelope)
    {
        using var document = JsonDocument.Parse(envelope);
        var detail = document.RootElement.GetProperty("detail");
        string? Text(string name) => detail.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        return $"[event] {StateChangeEvents.DetailType}: {Text("serviceId")} {Text("from")} -> {Text("to")} ({Text("reason")})";
    }

    /// <summary>The banner's words for the Lambda service's retries of a recorder error (minutes on AWS where these are seconds).</summary>
    internal static string DescribeRecorderRetries(AsyncInvocationOptions options)
    {
        var retries = options.MaximumRetryAttempts;
        var delays = Enumerable.Range(1, retries).Select(retry => Seconds(options.DelayBeforeRetry(retry))).ToArray();
        var when = delays.Length switch
        {
            0 => "is not retried",
            1 => $"is retried once by Lambda's asynchronous invocation, after {delays[0]}",
            _ => $"is retried {retries} times by Lambda's asynchronous invocation, after {string.Join(", ", delays[..^1])} and {delays[^1]}",
        };
        return $"a recorder error {when} (minutes on AWS), then [dead-letter]";
    }

    /// <summary>The banner's words for the local EventBridge's retries of a refused delivery.</summary>
    internal static string DescribeDeliveryRetries(LocalEventBridgeOptions options) =>
        $"EventBridge retries an invocation the Lambda service refused up to {options.MaximumRetryAttempts} times within "
        + $"{Seconds(options.EffectiveMaximumEventAge)}, then [dead-letter]";

    private static string Seconds(TimeSpan span) => string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:0.##} s");

    /// <summary>The startup lines: where everything listens and with which settings.</summary>
    public IEnumerable<string> DescribeEndpoints()
    {
        yield return $"HTTP API:            {Api.BaseAddress}";
        if (!Routes.IsShorthand)
        {
            foreach (var route in Routes.Routes)
            {
                var target = Simulators.TryGetValue(route.Prefix, out var simulator)
                    ? $"simulator {simulator.BaseAddress} (mode {SimulatorModeNames.Name(simulator.Mode)}; PUT /mode, GET /stats)"
                    : route.Circuit.Target.DownstreamUrl.AbsoluteUri;
                yield return $"route {route.Prefix,-14} -> {target}{(route.StripPrefix ? ", prefix stripped" : string.Empty)}";
                yield return $"  breaker: {BreakerSummary.Of(route.Circuit)}";
            }
        }
        else if (Simulator is not null)
        {
            yield return $"downstream simulator: {Simulator.BaseAddress} (mode {SimulatorModeNames.Name(Simulator.Mode)}; PUT /mode, GET /stats)";
        }
        else
        {
            yield return $"downstream:          {Settings.Target.DownstreamUrl}";
        }

        var latency = Events.Options.DeliveryLatency > TimeSpan.Zero ? $"; each matched event delivered after {Seconds(Events.Options.DeliveryLatency)}" : string.Empty;
        yield return $"EventBridge:         {Events.BaseAddress} (bus {BusName}{latency})";
        yield return $"Lambda Runtime API:  {Lambda.BaseAddress}<function>/{RuntimeApiProtocol.Version}/";
        yield return $"recorder retries:    {DescribeRecorderRetries(RecorderInvocations.Options)}";
        if (Routes.Routes.Any(route => route.Circuit.Target.WhenOpen == WhenOpenMode.Defer))
        {
            yield return $"replayer:            on each close (rule close-to-replayer); dead-letter queue {DeadLetterQueue.QueueUrl} ([dead-letter] replayer: ...)";
        }
        yield return $"delivery retries:    {DescribeDeliveryRetries(Events.Options)}";
        if (DynamoDbEndpoint is not null)
        {
            // One line, so that the command can be copied as it is; with the bus flags, isolate and close publish their events here too.
            var which = DynamoDbGiven ? $"given by {LocalCommandLine.DynamoDbEndpoint}, {Credentials}" : "dynalite, started here";
            var region = DynamoDbGiven ? $" --region {Credentials.Region}" : string.Empty;
            yield return $"DynamoDB:            {DynamoDbEndpoint} ({which}; table {TableName}; circuitctl status --endpoint-url {DynamoDbEndpoint}{region} "
                + $"--table {TableName} --event-bus-name {BusName} --events-endpoint-url {Events.BaseAddress})";
        }

        if (Routes.IsShorthand)
        {
            yield return $"breaker:             {BreakerSummary.Of(Settings)}";
        }
    }
}
