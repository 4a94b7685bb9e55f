using System.Diagnostics;
using CircuitBreaker.Bench.Load;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Logging;
using CircuitBreaker.Functions.Runtime;
using CircuitBreaker.Local.Cli;
using CircuitBreaker.Local.Downstream;
using CircuitBreaker.Local.Hosting;

namespace CircuitBreaker.Bench.Stack;

/// <summary>
/// The local host's system, as `dotnet run --project local` composes it: its HTTP API, its Lambda Runtime API with
/// scale-out instances each running the functions' runtime loop, its EventBridge PutEvents endpoint delivering
/// to the recorder, its downstream simulator; dynalite behind one counting proxy per function. Each instance is
/// built from its environment as the bootstrap builds it; the bench only times the handler and counts requests.
/// </summary>
internal sealed class LocalStack : IOutageStack, IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly TimeProvider _time = TimeProvider.System;
    private LocalSystem _system = null!;
    private CountingDynamoDbProxy _webserviceProxy = null!;
    private CountingDynamoDbProxy _recorderProxy = null!;
    private StackServices _services = null!;
    private long _callsAtReset;
    private long _callsWhenFaultStarted = -1;
    private long _unhealthyCalls;
    private long _acceptedAtReset;
    private long _deliveredAtReset;

    private LocalStack(BreakerVariant variant) => Variant = variant;

    public BreakerVariant Variant { get; }

    public Uri ApiBaseAddress => _system.Api.BaseAddress;

    public TimeSpan DownstreamTimeout => _system.Settings.DownstreamTimeout;

    public long StartedTimestamp { get; private set; } = Stopwatch.GetTimestamp();

    public HandlerTimings Timings { get; } = new();

    public DynamoDbRequestCounter WebserviceDynamoDb { get; } = new();

    public DynamoDbRequestCounter RecorderDynamoDb { get; } = new();

    public long DownstreamCalls => _system.Simulator!.Calls - _callsAtReset;

    public long DownstreamCallsWhileUnhealthy =>
        Interlocked.Read(ref _unhealthyCalls) + (_callsWhenFaultStarted >= 0 ? _system.Simulator!.Calls - _callsWhenFaultStarted : 0);

    public long EventsPublished => _system.Events.Accepted - _acceptedAtReset;

    public long EventDeliveries => _system.Events.Delivery.Delivered - _deliveredAtReset;

    public int WebserviceInstances => _system.Lambda.Statistics(HandlerNames.Webservice).StartedInstances;

    public int RecorderInstances => _system.Lambda.Statistics(HandlerNames.Recorder).StartedInstances;

    public string DownstreamState => SimulatorModeNames.Name(_system.Simulator!.Mode);

    public static async Task<LocalStack> StartAsync(BreakerVariant variant, StackSettings settings, string repositoryRoot, CancellationToken cancellationToken)
    {
        var stack = new LocalStack(variant);
        try
        {
            await stack.StartCoreAsync(settings, repositoryRoot, cancellationToken).ConfigureAwait(false);
            return stack;
        }
        catch
        {
            await stack.DisposeAsync().ConfigureAwait(false);
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

    public async Task DrainEventsAsync(CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp();
        while (_system.Events.Delivery.InFlight > 0 && Stopwatch.GetElapsedTime(deadline) < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    public Task<string> ReadStateAsync(CancellationToken cancellationToken) => Variant.ReadStateAsync(_services, cancellationToken);

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
    }

    private async Task StartCoreAsync(StackSettings settings, string repositoryRoot, CancellationToken cancellationToken)
    {
        var dynalite = await DynaliteProcess.StartAsync(repositoryRoot, cancellationToken).ConfigureAwait(false);
        _owned.Add(dynalite);
        _webserviceProxy = await CountingDynamoDbProxy.StartAsync(dynalite.Endpoint, WebserviceDynamoDb, cancellationToken).ConfigureAwait(false);
        _owned.Add(_webserviceProxy);
        _recorderProxy = await CountingDynamoDbProxy.StartAsync(dynalite.Endpoint, RecorderDynamoDb, cancellationToken).ConfigureAwait(false);
        _owned.Add(_recorderProxy);

        var observer = DynamoDbClients.Create(dynalite.Endpoint);
        var circuit = Variant.Configure(settings.ToCircuitSettings(LocalOptions.SimulatorPlaceholder));
        _services = new StackServices(observer, observer, observer, LocalSystem.TableName, circuit, new HttpClient(), _time);
        await Variant.ProvisionAsync(_services, cancellationToken).ConfigureAwait(false);

        var options = new LocalOptions(0, DownstreamTarget.Simulate(SimulatorMode.Ok), circuit, ServiceIdGiven: true, ConfigFile: null);
        _system = await LocalSystem.StartAsync(options, RunInstanceAsync, dynalite.Endpoint, _time, TextWriter.Null, null, cancellationToken)
            .ConfigureAwait(false);
        _owned.Add(_system);
    }

    // One Lambda execution environment: the functions' runtime loop around this variant's handler, timed.
    private async Task RunInstanceAsync(Func<string, string?> environment, CancellationToken stop)
    {
        var function = environment(FunctionEnvironment.Handler) ?? HandlerNames.Webservice;
        var proxy = function == HandlerNames.Webservice ? _webserviceProxy : _recorderProxy;
        string? Environment(string name) => name == FunctionEnvironment.DynamoDbEndpointUrl ? proxy.Endpoint.AbsoluteUri : environment(name);

        var log = new FunctionLog(TextWriter.Null, _time, function);
        using var runtimeHttp = RuntimeApiClient.CreateHttpClient();
        var client = new RuntimeApiClient(runtimeHttp, Environment(FunctionEnvironment.RuntimeApi) ?? string.Empty);
        using var instance = Variant.CreateLocalInstance(Environment, _time, log);
        var timed = new TimedInvocationHandler(instance.Handler, function, Timings, () => StartedTimestamp);
        await new LambdaRuntimeLoop(client, timed, log, _time, new RuntimeLoopOptions { ExportTraceIdToEnvironment = false })
            .RunAsync(stop).ConfigureAwait(false);
    }
}
