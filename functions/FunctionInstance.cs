using Amazon.DynamoDBv2;
using CircuitBreaker.Aws.DynamoDb;
using CircuitBreaker.Aws.EventBridge;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Breaker;
using CircuitBreaker.Core.Configuration;
using CircuitBreaker.Core.Events;
using CircuitBreaker.Core.Logging;
using CircuitBreaker.Functions.Replayer;
using CircuitBreaker.Core.Store;
using CircuitBreaker.Functions.Configuration;
using CircuitBreaker.Functions.Recorder;
using CircuitBreaker.Functions.Runtime;
using CircuitBreaker.Functions.Webservice;
using CircuitBreaker.Functions.Webservice.Downstream;
using CircuitBreaker.Functions.Webservice.Routing;
using CircuitBreaker.Functions.Webservice.WhenOpen;
using CircuitBreaker.Polly;

namespace CircuitBreaker.Functions;

/// <summary>
/// One Lambda instance's object graph: the handler its settings name and the clients it owns. Built once per
/// instance at init, reused by every invocation, as Lambda reuses an execution environment.
/// </summary>
internal sealed class FunctionInstance : IDisposable
{
    private readonly InstanceClients _clients;

    private FunctionInstance(InstanceClients clients, IInvocationHandler handler)
    {
        _clients = clients;
        Handler = handler;
    }

    /// <summary>The validated settings the instance runs with.</summary>
    public FunctionSettings Settings => _clients.Settings;

    /// <summary>The handler the runtime loop serves.</summary>
    public IInvocationHandler Handler { get; }

    /// <summary>
    /// Reads the settings through <paramref name="environment"/> and builds the instance; throws
    /// <see cref="FunctionConfigurationException"/> when the environment is wrong.
    /// </summary>
    public static FunctionInstance Create(Func<string, string?> environment, TimeProvider time, FunctionLog log) =>
        Create(environment, time, log, BreakerHandler);

    /// <summary>
    /// Builds the instance as <see cref="Create(Func{string, string?}, TimeProvider, FunctionLog)"/> does, with the handler
    /// <paramref name="handlerFor"/> builds from the instance's clients (the bench runs the original algorithm this way, on
    /// the same clients as ours). The clients stay the instance's and are disposed with it.
    /// </summary>
    internal static FunctionInstance Create(
        Func<string, string?> environment, TimeProvider time, FunctionLog log, Func<InstanceClients, IInvocationHandler> handlerFor)
    {
        var clients = new InstanceClients(FunctionSettings.Read(environment), environment, time, log);
        try
        {
            return new FunctionInstance(clients, handlerFor(clients));
        }
        catch
        {
            clients.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public void Dispose() => _clients.Dispose();

    // The breaker's handler for the function the settings name, over the circuit table.
    private static IInvocationHandler BreakerHandler(InstanceClients clients)
    {
        var store = new DynamoDbCircuitStore(clients.DynamoDb, clients.Settings.TableName, clients.Time, clients.StateReads);
        return clients.Settings.Handler switch
        {
            HandlerNames.Webservice => Webservice(clients, store),
            HandlerNames.Replayer => Replayer(clients, store),
            _ => Recorder(clients, store),
        };
    }

    private static IInvocationHandler Webservice(InstanceClients clients, ICircuitStore store)
    {
        var (downstreamHttp, publisher, time, log) = (clients.DownstreamHttp, clients.Publisher, clients.Time, clients.Log);
        var transitions = new TransitionReporter(log, publisher, time);
        var staleAnswers = new DynamoDbStaleAnswerStore(clients.DynamoDb, clients.Settings.TableName);
        var deferred = new DeferredRequestStore(clients.DynamoDb, clients.Settings.TableName);
        return NewRoutedWebservice(
            clients.Settings.Routes, route => NewDownstreamClient(downstreamHttp, route.Circuit, time), store, publisher, time, log, transitions, staleAnswers, deferred);
    }

    /// <summary>The client for one route's downstream, relaying as the route's target says (headers, encoded slashes).</summary>
    internal static DownstreamClient NewDownstreamClient(HttpClient http, CircuitSettings circuit, TimeProvider time) =>
        new(http, circuit.Target.DownstreamUrl, time, RelayPolicy.From(circuit.Target));

    /// <summary>
    /// The webservice for every route: one breaker per route (<see cref="NewWebserviceHandler"/>), sharing the store, the
    /// publisher and the HTTP clients. A deployment without routes gets its one handler as it always did.
    /// </summary>
    internal static IInvocationHandler NewRoutedWebservice(
        RouteTable routes,
        Func<RouteSettings, DownstreamClient> downstreamFor,
        ICircuitStore store,
        IFailurePublisher publisher,
        TimeProvider time,
        FunctionLog log,
        TransitionReporter? transitions = null,
        IStaleAnswerStore? staleAnswers = null,
        DeferredRequestStore? deferred = null)
    {
        var handlers = routes.Routes
            .Select(route => NewWebserviceHandler(store, downstreamFor(route), publisher, route.Circuit, time, log, transitions, staleAnswers, deferred))
            .ToList();
        return routes.IsShorthand ? handlers[0] : new RoutingHandler(routes.Routes, handlers, log, time);
    }

    private static ReplayerHandler Replayer(InstanceClients clients, ICircuitStore store)
    {
        var (settings, downstreamHttp, publisher, time, log) = (clients.Settings, clients.DownstreamHttp, clients.Publisher, clients.Time, clients.Log);
        return NewReplayerHandler(
            settings.Routes,
            route => NewDownstreamClient(downstreamHttp, route.Circuit, time),
            store,
            new DeferredRequestStore(clients.DynamoDb, settings.TableName),
            publisher,
            clients.DeadLetters(),
            (detail, cancellationToken) => publisher.PublishAsync(
                new OutgoingEvent(StateChangeEvents.Source, DeferredReplays.DetailType, "Replay request", time.GetUtcNow()),
                detail,
                ContractJsonContext.Default.DeferredReplayDetail,
                new LogScope(detail.RequestId, detail.ServiceId),
                cancellationToken),
            time,
            log,
            new TransitionReporter(log, publisher, time));
    }

    /// <summary>
    /// The replayer as every host composes it: for each route, its deferred requests replayed through the route's own
    /// relay and breaker (the same circuit, store and publisher the webservice uses).
    /// </summary>
    internal static ReplayerHandler NewReplayerHandler(
        RouteTable routes,
        Func<RouteSettings, DownstreamClient> downstreamFor,
        ICircuitStore store,
        DeferredRequestStore deferred,
        IFailurePublisher publisher,
        IDeadLetterQueue deadLetters,
        Func<DeferredReplayDetail, CancellationToken, Task<bool>> resume,
        TimeProvider time,
        FunctionLog log,
        TransitionReporter? transitions = null)
    {
        var replays = routes.Routes.Select(route =>
        {
            var circuit = route.Circuit;
            var routeCircuit = RouteCircuit(circuit, store, publisher, transitions, time, log);
            return new DeferredReplay(routeCircuit, deferred, downstreamFor(route), circuit, deadLetters, time, log);
        });
        return new ReplayerHandler(replays.ToList(), resume, log, routes.MetricsNamespace);
    }

    private static RecorderHandler Recorder(InstanceClients clients, ICircuitStore store)
    {
        var (settings, time, log) = (clients.Settings, clients.Time, clients.Log);
        TransitionReporter transitions;
        if (settings.EventBusName is null)
        {
            // Stacks from before state-change events give the recorder no bus; it still opens circuits.
            log.Warn($"{FunctionEnvironment.EventBusName} is not set: circuit openings are logged but not published as state-change events");
            transitions = TransitionReporter.LogOnly(log, time);
        }
        else
        {
            transitions = new TransitionReporter(log, clients.Publisher, time);
        }

        return NewRecorderHandler(store, settings.Routes, time, log, transitions);
    }

    /// <summary>
    /// The webservice for one route, as the bootstrap composes it: the route's circuit (the core's gate with this
    /// instance's memory of open circuits, the open period's backoff and the success counter, over the table, failures
    /// on the bus) and the pipeline through it (<see cref="WebserviceHandler"/>). A probe's lease covers the route's
    /// downstream timeout plus the time to answer. Transitions are logged only unless <paramref name="transitions"/>
    /// publishes them too. A route with <c>whenOpen: stale</c> keeps its answers in <paramref name="staleAnswers"/>.
    /// </summary>
    internal static WebserviceHandler NewWebserviceHandler(
        ICircuitStore store,
        DownstreamClient downstream,
        IFailurePublisher publisher,
        CircuitSettings circuit,
        TimeProvider time,
        FunctionLog log,
        TransitionReporter? transitions = null,
        IStaleAnswerStore? staleAnswers = null,
        DeferredRequestStore? deferred = null)
    {
        var routeCircuit = RouteCircuit(circuit, store, publisher, transitions, time, log);
        return new WebserviceHandler(routeCircuit, downstream, circuit, time, log, WhenOpenAnswer(circuit, staleAnswers, deferred, time, log));
    }

    // A route's circuit: the core's gate over the table, failures on the bus; a probe's lease covers the route's
    // downstream timeout plus the time to answer.
    private static GateCircuit RouteCircuit(
        CircuitSettings circuit, ICircuitStore store, IFailurePublisher publisher, TransitionReporter? transitions, TimeProvider time, FunctionLog log) =>
        GateCircuit.Over(
            circuit.ServiceId,
            circuit.Policy,
            store,
            publisher,
            transitions ?? TransitionReporter.LogOnly(log, time),
            circuit.Target.DownstreamTimeout + CircuitSettings.ResponseReserve,
            time,
            log);

    // The route's whenOpen mode. Each mode's answer is built here from what the instance has.
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1859", Justification = "Each mode has its own implementation.")]
    private static IWhenOpenAnswer WhenOpenAnswer(
        CircuitSettings circuit, IStaleAnswerStore? staleAnswers, DeferredRequestStore? deferred, TimeProvider time, FunctionLog log) => circuit.Target.WhenOpen switch
    {
        WhenOpenMode.Stale => new StaleWhenOpen(staleAnswers ?? throw new ArgumentNullException(nameof(staleAnswers), "whenOpen stale keeps its answers in the circuit table."), circuit.Target, time, log),
        WhenOpenMode.Static => new StaticWhenOpen(circuit.Target),
        WhenOpenMode.Defer => new DeferWhenOpen(deferred ?? throw new ArgumentNullException(nameof(deferred), "whenOpen defer keeps its requests in the circuit table."), circuit.Target.Defer, time, log),
        _ => RejectWhenOpen.Instance,
    };

    /// <summary>
    /// The recorder as every host composes it: the opening rule (count or ratio) follows the policy. Openings are
    /// logged only unless <paramref name="transitions"/> publishes them too.
    /// </summary>
    internal static RecorderHandler NewRecorderHandler(
        ICircuitStore store, CircuitPolicy policy, TimeProvider time, FunctionLog log, TransitionReporter? transitions = null) =>
        new(new FailureRecorder(store, policy, time, log, transitions), log, policy.MetricsNamespace);

    /// <summary>
    /// The recorder for every route: each service id's failures are recorded with its route's policy, the others (a
    /// library user's, a backend-only stack's) with the stack-wide one.
    /// </summary>
    internal static RecorderHandler NewRecorderHandler(
        ICircuitStore store, RouteTable routes, TimeProvider time, FunctionLog log, TransitionReporter? transitions = null)
    {
        if (routes.IsShorthand || routes.Routes.Count == 0)
        {
            return NewRecorderHandler(store, routes.StackWide, time, log, transitions);
        }

        var byServiceId = routes.Routes.ToDictionary(
            route => route.ServiceId, route => new FailureRecorder(store, route.Circuit.Policy, time, log, transitions), StringComparer.Ordinal);
        var stackWide = new FailureRecorder(store, routes.StackWide, time, log, transitions);
        return new(new FailureRecorders(byServiceId, stackWide, warnUnknownTo: log), log, routes.MetricsNamespace);
    }

    /// <summary>The downstream's HTTP client: see <see cref="DownstreamHttp.CreateClient"/> for what it refuses to do.</summary>
    internal static HttpClient NewDownstreamHttpClient() => DownstreamHttp.CreateClient();
}
