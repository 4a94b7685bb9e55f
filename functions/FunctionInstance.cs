using Amazon.DynamoDBv2;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Breaker;
using CircuitBreaker.Core.Configuration;
using CircuitBreaker.Functions.Configuration;
using CircuitBreaker.Functions.Downstream;
using CircuitBreaker.Core.Events;
using CircuitBreaker.Functions.Handlers;
using CircuitBreaker.Core.Logging;
using CircuitBreaker.Functions.Routing;
using CircuitBreaker.Functions.Runtime;
using CircuitBreaker.Core.Store;

namespace CircuitBreaker.Functions;

/// <summary>
/// One Lambda instance's object graph: the handler its settings name and the clients it owns. Built once per
/// instance at init, reused by every invocation, as Lambda reuses an execution environment.
/// </summary>
internal sealed class FunctionInstance : IDisposable
{
    /// <summary>One attempt at a state read or transition by the webservice: short, since a request waits on it.</summary>
    internal static readonly TimeSpan WebserviceStoreAttemptTimeout = TimeSpan.FromMilliseconds(500);

    /// <summary>One attempt by the recorder: it runs asynchronously, so it can afford to wait longer.</summary>
    internal static readonly TimeSpan RecorderStoreAttemptTimeout = TimeSpan.FromSeconds(3);

    private readonly List<IDisposable> _owned = [];

    private FunctionInstance(FunctionSettings settings, Func<string, string?> environment, TimeProvider time, FunctionLog log)
    {
        Settings = settings;
        var credentials = CredentialsFromEnvironment.Explicit(environment);
        var isWebservice = settings.Handler == HandlerNames.Webservice;
        var dynamoDb = Own(DynamoDbClientFactory.Create(
            AwsServiceEndpoint.DynamoDbOverride(environment),
            settings.Region,
            isWebservice ? WebserviceStoreAttemptTimeout : RecorderStoreAttemptTimeout,
            credentials,
            maxErrorRetry: isWebservice ? 1 : 3));
        var store = new DynamoDbCircuitStore(dynamoDb, settings.TableName, time);

        Handler = isWebservice
            ? Webservice(settings, environment, time, log, store, credentials)
            : Recorder(settings, environment, time, log, store, credentials);
    }

    /// <summary>The validated settings the instance runs with.</summary>
    public FunctionSettings Settings { get; }

    /// <summary>The handler the runtime loop serves.</summary>
    public IInvocationHandler Handler { get; }

    /// <summary>
    /// Reads the settings through <paramref name="environment"/> and builds the instance; throws
    /// <see cref="FunctionConfigurationException"/> when the environment is wrong.
    /// </summary>
    public static FunctionInstance Create(Func<string, string?> environment, TimeProvider time, FunctionLog log) =>
        new(FunctionSettings.Read(environment), environment, time, log);

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }
    }

    private IInvocationHandler Webservice(
        FunctionSettings settings, Func<string, string?> environment, TimeProvider time, FunctionLog log, ICircuitStore store, Amazon.Runtime.AWSCredentials? credentials)
    {
        var downstreamHttp = Own(NewDownstreamHttpClient());
        var publisher = NewFailurePublisher(Own(NewEventsHttpClient()), settings, environment, credentials, time, log);
        var transitions = new TransitionReporter(log, publisher, time);
        return NewRoutedWebservice(settings.Routes, route => new DownstreamClient(downstreamHttp, route.Circuit.DownstreamUrl, time), store, publisher, time, log, transitions);
    }

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
        TransitionReporter? transitions = null)
    {
        var handlers = routes.Routes
            .Select(route => NewWebserviceHandler(store, downstreamFor(route), publisher, route.Circuit, time, log, transitions))
            .ToList();
        return routes.IsShorthand ? handlers[0] : new RoutingHandler(routes.Routes, handlers, log, time);
    }

    private RecorderHandler Recorder(
        FunctionSettings settings, Func<string, string?> environment, TimeProvider time, FunctionLog log, ICircuitStore store, Amazon.Runtime.AWSCredentials? credentials)
    {
        TransitionReporter transitions;
        if (settings.EventBusName is null)
        {
            // Stacks from before state-change events give the recorder no bus; it still opens circuits.
            log.Warn($"{FunctionEnvironment.EventBusName} is not set: circuit openings are logged but not published as state-change events");
            transitions = TransitionReporter.LogOnly(log, time);
        }
        else
        {
            transitions = new TransitionReporter(log, NewFailurePublisher(Own(NewEventsHttpClient()), settings, environment, credentials, time, log), time);
        }

        return NewRecorderHandler(store, settings.Routes, time, log, transitions);
    }

    /// <summary>
    /// The webservice's breaker around its clients, as every host composes it (the bootstrap, the bench's variants):
    /// gate, open-circuit memory, open-period backoff, slow-call watch and success counter, each following the settings.
    /// Transitions are logged only unless <paramref name="transitions"/> publishes them too.
    /// </summary>
    internal static WebserviceHandler NewWebserviceHandler(
        ICircuitStore store,
        DownstreamClient downstream,
        IFailurePublisher publisher,
        CircuitSettings circuit,
        TimeProvider time,
        FunctionLog log,
        TransitionReporter? transitions = null)
    {
        var gate = new CircuitGate(store, new OpenCircuitMemory(time), circuit, time, log, transitions);
        return new WebserviceHandler(
            gate,
            downstream,
            publisher,
            circuit,
            time,
            log,
            new SlowCallWatch(publisher, circuit, time, log, WebserviceHandler.PublishBudget),
            new SuccessCounter(store, circuit, time, log));
    }

    /// <summary>
    /// The recorder as every host composes it: the opening rule (count or ratio) follows the settings. Openings are
    /// logged only unless <paramref name="transitions"/> publishes them too.
    /// </summary>
    internal static RecorderHandler NewRecorderHandler(
        ICircuitStore store, CircuitSettings circuit, TimeProvider time, FunctionLog log, TransitionReporter? transitions = null) =>
        new(new FailureRecorder(store, circuit, time, log, transitions), log, circuit.MetricsNamespace);

    /// <summary>The recorder for every route: each service id's failures are recorded with its route's settings.</summary>
    internal static RecorderHandler NewRecorderHandler(
        ICircuitStore store, RouteTable routes, TimeProvider time, FunctionLog log, TransitionReporter? transitions = null)
    {
        if (routes.IsShorthand)
        {
            return NewRecorderHandler(store, routes.Routes[0].Circuit, time, log, transitions);
        }

        var byServiceId = routes.Routes.ToDictionary(
            route => route.ServiceId, route => new FailureRecorder(store, route.Circuit, time, log, transitions), StringComparer.Ordinal);
        var stackWide = new FailureRecorder(store, routes.StackWide, time, log, transitions);
        return new(new FailureRecorders(byServiceId, stackWide, warnUnknownTo: log), log, routes.MetricsNamespace);
    }

    /// <summary>The downstream's HTTP client: see <see cref="DownstreamHttp.CreateClient"/> for what it refuses to do.</summary>
    internal static HttpClient NewDownstreamHttpClient() => DownstreamHttp.CreateClient();

    /// <summary>EventBridge's HTTP client: the publisher bounds each call by the request's own budget.</summary>
    internal static HttpClient NewEventsHttpClient() =>
        new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>The publisher (failures and state changes) for the bus and endpoint the settings and environment name.</summary>
    internal static PutEventsClient NewFailurePublisher(
        HttpClient eventsHttp, FunctionSettings settings, Func<string, string?> environment, Amazon.Runtime.AWSCredentials? credentials, TimeProvider time, FunctionLog log) =>
        new(
            eventsHttp,
            new PutEventsClientOptions
            {
                Endpoint = AwsServiceEndpoint.ForEvents(environment, settings.Region),
                Region = settings.Region,
                EventBusName = settings.EventBusName!,
            },
            CredentialsFromEnvironment.Resolver(credentials),
            time,
            log);

    private T Own<T>(T disposable)
        where T : IDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }
}
