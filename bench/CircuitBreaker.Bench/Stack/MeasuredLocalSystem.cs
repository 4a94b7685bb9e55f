using System.Diagnostics;
using Amazon.DynamoDBv2;
using Amazon.Runtime;
using CircuitBreaker.Aws.DynamoDb;
using CircuitBreaker.Bench.Load;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Logging;
using CircuitBreaker.Core.Store;
using CircuitBreaker.Functions;
using CircuitBreaker.Functions.Runtime;
using CircuitBreaker.Local.Cli;
using CircuitBreaker.Local.Downstream;
using CircuitBreaker.Local.Dynalite;
using CircuitBreaker.Local.DynamoDb;
using CircuitBreaker.Local.Hosting;

namespace CircuitBreaker.Bench.Stack;

/// <summary>
/// The local host's system, as `dotnet run --project local` composes it, with the bench's measurements around it: its
/// HTTP API, its Lambda Runtime API with scale-out instances each running the functions' runtime loop, its EventBridge
/// PutEvents endpoint delivering to the recorder, its downstream simulator, and local's dynalite, reached through one
/// <see cref="DynamoDbProxy"/> per function, which counts the requests and, when the settings ask, holds each item to
/// DynamoDB's per-item limits (one budget per item shared by both functions). Each instance is built from its environment as the bootstrap builds it; the bench only
/// times the handler and counts requests.
/// </summary>
internal sealed class MeasuredLocalSystem : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly TimeProvider _time = TimeProvider.System;
    private DynaliteServer _dynalite = null!;
    private IAmazonDynamoDB _observer = null!;
    private LocalSystem _system = null!;
    private DynamoDbProxy _webserviceProxy = null!;
    private DynamoDbProxy _recorderProxy = null!;
    private Func<string, string?>? _webserviceEnvironment;
    private volatile bool _newInstancePerRequest;
    private long _callsAtReset;
    private long _callsWhenFaultStarted = -1;
    private long _unhealthyCalls;
    private long _acceptedAtReset;
    private long _deliveredAtReset;

    private MeasuredLocalSystem(BreakerVariant variant) => Variant = variant;

    public BreakerVariant Variant { get; }

    public Uri ApiBaseAddress => _system.Api.BaseAddress;

    /// <summary>The breaker's settings the functions run with.</summary>
    public CircuitSettings Settings => _system.Settings;

    /// <summary>The node process serving dynalite, whose CPU time the saturation run reads.</summary>
    public int DynaliteProcessId => _dynalite.ProcessId;

    public long StartedTimestamp { get; private set; } = Stopwatch.GetTimestamp();

    public HandlerTimings Timings { get; } = new();

    public DynamoDbRequestCounter WebserviceDynamoDb { get; } = new();

    public DynamoDbRequestCounter RecorderDynamoDb { get; } = new();

    /// <summary>The per-item budgets both proxies enforce, when the settings ask for DynamoDB's limits.</summary>
    public ItemThroughput? DynamoDbItemLimits { get; private set; }

    public long DownstreamCalls => _system.Simulator!.Calls - _callsAtReset;

    public long DownstreamCallsWhileUnhealthy =>
        Interlocked.Read(ref _unhealthyCalls) + (_callsWhenFaultStarted >= 0 ? _system.Simulator!.Calls - _callsWhenFaultStarted : 0);

    public long EventsPublished => _system.Events.Accepted - _acceptedAtReset;

    public long EventDeliveries => _system.Events.Delivery.Delivered - _deliveredAtReset;

    public int WebserviceInstances => _system.Lambda.Statistics(HandlerNames.Webservice).StartedInstances;

    public int RecorderInstances => _system.Lambda.Statistics(HandlerNames.Recorder).StartedInstances;

    public string DownstreamState => SimulatorModeNames.Name(_system.Simulator!.Mode);

    /// <summary>
    /// When set, every webservice invocation is served by an instance built for it from the same environment and
    /// disposed after it (what a request costs on a new execution environment, its init included, its process start
    /// not); the runtime loops themselves stay. The local host has no such mode: the bench's instances do this.
    /// </summary>
    public bool NewInstancePerRequest
    {
        get => _newInstancePerRequest;
        set => _newInstancePerRequest = value;
    }

    public static async Task<MeasuredLocalSystem> StartAsync(BreakerVariant variant, StackSettings settings, string repositoryRoot, CancellationToken cancellationToken)
    {
        var system = new MeasuredLocalSystem(variant);
        try
        {
            await system.StartCoreAsync(settings, repositoryRoot, cancellationToken).ConfigureAwait(false);
            return system;
        }
        catch
        {
            await system.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public void SetDownstreamFault(DownstreamFault? fault)
    {
        var simulator = _system.Simulator!;
        if (fault is not null)
        {
            _callsWhenFaultStarted = simulator.Calls;
            if (fault.Hangs)
            {
                simulator.SwitchTo(SimulatorMode.Hang);
            }
            else
            {
                simulator.FailAtRandom(new RandomFailures(fault.RandomFailureFraction, fault.Seed));
            }
        }
        else
        {
            simulator.SwitchTo(SimulatorMode.Ok);
            simulator.FailAtRandom(null);
            if (_callsWhenFaultStarted >= 0)
            {
                Interlocked.Add(ref _unhealthyCalls, simulator.Calls - _callsWhenFaultStarted);
                _callsWhenFaultStarted = -1;
            }
        }
    }

    /// <summary>Forgets the counts of warm-up and provisioning, so that only the measured period counts.</summary>
    public void ResetCounters()
    {
        WebserviceDynamoDb.Reset();
        RecorderDynamoDb.Reset();
        Timings.Reset();
        _callsAtReset = _system.Simulator!.Calls;
        _unhealthyCalls = 0;
        _callsWhenFaultStarted = -1;
        _acceptedAtReset = _system.Events.Accepted;
        _deliveredAtReset = _system.Events.Delivery.Delivered;
        StartedTimestamp = Stopwatch.GetTimestamp();
    }

    // Delivered means the Lambda service took the event; the recorder may still be running it (or retrying it).
    public async Task DrainEventsAsync(CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp();
        while ((_system.Events.Delivery.InFlight > 0 || _system.RecorderInvocations.InFlight > 0) && Stopwatch.GetElapsedTime(deadline) < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>When the stored state last changed (for ours: the state item's <c>changedAt</c>), read without being counted; null when never.</summary>
    public async Task<DateTimeOffset?> StateChangedAtAsync(CancellationToken cancellationToken) =>
        (await new DynamoDbCircuitStore(_observer, LocalSystem.TableName).GetAsync(Settings.ServiceId, cancellationToken).ConfigureAwait(false)).ChangedAt;

    public Task<string> ReadStateAsync(CancellationToken cancellationToken) =>
        Variant.ReadStateAsync(_observer, LocalSystem.TableName, Settings, _time, cancellationToken);

    /// <summary>
    /// A new webservice instance of this variant, built from the environment the local host gives its webservice
    /// instances (its DynamoDB calls counted in <see cref="WebserviceDynamoDb"/>), for calling its handler directly.
    /// </summary>
    /// <exception cref="InvalidOperationException">No webservice instance has started yet, so the environment is unknown.</exception>
    public FunctionInstance NewWebserviceInstance() => NewWebserviceInstance(TextWriter.Null);

    /// <summary>A webservice instance as <see cref="NewWebserviceInstance()"/> builds it, its log lines written to <paramref name="log"/>.</summary>
    public FunctionInstance NewWebserviceInstance(TextWriter log) => Variant.CreateInstance(
        _webserviceEnvironment ?? throw new InvalidOperationException("No webservice instance has started yet: send a request first."),
        _time,
        new FunctionLog(log, _time, HandlerNames.Webservice));

    /// <summary>Switches the simulator to <paramref name="mode"/> (fail: a 500 at once, a fast-failing downstream).</summary>
    public void SwitchDownstreamTo(SimulatorMode mode) => _system.Simulator!.SwitchTo(mode);

    public async ValueTask DisposeAsync()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            try
            {
                await _owned[i].DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Tearing down after a run: nothing left to measure.
            }
        }

        _observer?.Dispose();
    }

    private async Task StartCoreAsync(StackSettings settings, string repositoryRoot, CancellationToken cancellationToken)
    {
        // Local's dynalite, one per run, so that no two runs share a server's warm state; the variant makes its own table.
        _dynalite = await DynaliteServer.StartAsync(DynaliteOptions.ForRepository(repositoryRoot), cancellationToken).ConfigureAwait(false);
        _owned.Add(_dynalite);
        DynamoDbItemLimits = settings.DynamoDbItemLimits is { } limits ? new ItemThroughput(limits, _time) : null;
        _webserviceProxy = await DynamoDbProxy.StartAsync(_dynalite.Endpoint, WebserviceDynamoDb, DynamoDbItemLimits, cancellationToken).ConfigureAwait(false);
        _owned.Add(_webserviceProxy);
        _recorderProxy = await DynamoDbProxy.StartAsync(_dynalite.Endpoint, RecorderDynamoDb, DynamoDbItemLimits, cancellationToken).ConfigureAwait(false);
        _owned.Add(_recorderProxy);

        _observer = CircuitBreaker.Aws.Configuration.AwsClientFactory.DynamoDb(_dynalite.Endpoint, LocalSystem.Region, TimeSpan.FromSeconds(5), new BasicAWSCredentials("bench", "bench"));
        await Variant.ProvisionAsync(_observer, LocalSystem.TableName, cancellationToken).ConfigureAwait(false);

        var circuit = Variant.Configure(settings.ToCircuitSettings(LocalOptions.SimulatorPlaceholder));
        var options = new LocalOptions(0, DownstreamTarget.Simulate(SimulatorMode.Ok), circuit, ServiceIdGiven: true, ConfigFile: null)
        {
            EventDeliveryLatency = settings.EventDeliveryLatency,
        };
        _system = await LocalSystem.StartAsync(options, RunInstanceAsync, _dynalite.Endpoint, _time, TextWriter.Null, null, cancellationToken)
            .ConfigureAwait(false);
        _owned.Add(_system);
    }

    // Lambda would ship these lines to CloudWatch; formatting them is part of the cost, writing them is not measured.
    private FunctionLog NewLog(string function) => new(TextWriter.Null, _time, function);

    // One Lambda execution environment: the functions' runtime loop around this variant's handler, timed.
    private async Task RunInstanceAsync(Func<string, string?> environment, CancellationToken stop)
    {
        var function = environment(FunctionEnvironment.Handler) ?? HandlerNames.Webservice;
        var proxy = function == HandlerNames.Webservice ? _webserviceProxy : _recorderProxy;
        string? Environment(string name) => name == FunctionEnvironment.DynamoDbEndpointUrl ? proxy.Endpoint.AbsoluteUri : environment(name);

        var log = NewLog(function);
        using var runtimeHttp = RuntimeApiClient.CreateHttpClient();
        var client = new RuntimeApiClient(runtimeHttp, Environment(FunctionEnvironment.RuntimeApi) ?? string.Empty);
        using var instance = Variant.CreateInstance(Environment, _time, log);
        var handler = instance.Handler;
        if (function == HandlerNames.Webservice)
        {
            _webserviceEnvironment ??= Environment;
            handler = new NewInstanceWhenAsked(handler, () => _newInstancePerRequest, () => Variant.CreateInstance(Environment, _time, NewLog(function)));
        }

        var timed = new TimedInvocationHandler(handler, function, Timings, () => StartedTimestamp);
        await new LambdaRuntimeLoop(client, timed, log, _time, new RuntimeLoopOptions { ExportTraceIdToEnvironment = false })
            .RunAsync(stop).ConfigureAwait(false);
    }

    // Serves with the instance's own handler, or, while asked to, with an instance built for the one invocation.
    private sealed class NewInstanceWhenAsked(IInvocationHandler own, Func<bool> asked, Func<FunctionInstance> newInstance) : IInvocationHandler
    {
        public async Task<ReadOnlyMemory<byte>> HandleAsync(LambdaInvocation invocation, CancellationToken cancellationToken)
        {
            if (!asked())
            {
                return await own.HandleAsync(invocation, cancellationToken).ConfigureAwait(false);
            }

            using var fresh = newInstance();
            return await fresh.Handler.HandleAsync(invocation, cancellationToken).ConfigureAwait(false);
        }
    }
}
