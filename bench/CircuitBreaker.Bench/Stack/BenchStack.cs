using System.Diagnostics;
using CircuitBreaker.Contract;
using CircuitBreaker.Functions.Runtime;

namespace CircuitBreaker.Bench.Stack;

/// <summary>
/// The system for one measured run, in process: dynalite, the downstream stub, the HTTP API, pools of
/// webservice and recorder instances (each invocation timed), and the event bus between them.
/// </summary>
internal sealed class BenchStack : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _owned = [];

    private BenchStack(BreakerVariant variant) => Variant = variant;

    public BreakerVariant Variant { get; }

    public DynamoDbRequestCounter WebserviceDynamoDb { get; } = new();

    public DynamoDbRequestCounter RecorderDynamoDb { get; } = new();

    public HandlerTimings Timings { get; } = new();

    public long StartedTimestamp { get; private set; }

    public DownstreamStub Downstream { get; private set; } = null!;

    public InProcessEventBus Events { get; private set; } = null!;

    public InProcessApiGateway Api { get; private set; } = null!;

    public FunctionInstancePool WebservicePool { get; private set; } = null!;

    public FunctionInstancePool RecorderPool { get; private set; } = null!;

    public StackServices Services { get; private set; } = null!;

    public int DynaliteProcessId { get; private set; }

    public static async Task<BenchStack> StartAsync(BreakerVariant variant, StackSettings settings, string repositoryRoot, CancellationToken cancellationToken)
    {
        var stack = new BenchStack(variant);
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

    public Task<string> ReadStateAsync(CancellationToken cancellationToken) => Variant.ReadStateAsync(Services, cancellationToken);

    public Uri ApiBaseAddress => Api.BaseAddress;

    public TimeSpan DownstreamTimeout => Services.Settings.DownstreamTimeout;

    public long DownstreamCallsWhileUnhealthy => Downstream.CallsWhileUnhealthy;

    public long DownstreamCalls => Downstream.Calls;

    public long EventsPublished => Events.Published;

    public long EventDeliveries => Events.Deliveries;

    public int WebserviceInstances => WebservicePool.InstancesCreated;

    public int RecorderInstances => RecorderPool.InstancesCreated;

    public string DownstreamState => Downstream.Mode.ToString();

    public void SetDownstreamHanging(bool hanging) => Downstream.Mode = hanging ? DownstreamMode.Hanging : DownstreamMode.Healthy;

    public Task DrainEventsAsync(CancellationToken cancellationToken) => Events.DrainAsync();

    /// <summary>Forgets the counts of warm-up and provisioning, so that only the measured period counts.</summary>
    public void ResetCounters()
    {
        WebserviceDynamoDb.Reset();
        RecorderDynamoDb.Reset();
        Timings.Reset();
        Downstream.ResetCounts();
        StartedTimestamp = Stopwatch.GetTimestamp();
    }

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
        StartedTimestamp = Stopwatch.GetTimestamp();
        var dynalite = await DynaliteProcess.StartAsync(repositoryRoot, cancellationToken).ConfigureAwait(false);
        _owned.Add(dynalite);
        DynaliteProcessId = dynalite.ProcessId;
        Downstream = await DownstreamStub.StartAsync(cancellationToken).ConfigureAwait(false);
        _owned.Add(Downstream);

        var circuit = Variant.Configure(settings.ToCircuitSettings(Downstream.BaseAddress));
        var downstreamHttp = CircuitBreaker.Functions.Downstream.DownstreamHttp.CreateClient();
        var time = TimeProvider.System;
        Services = new StackServices(
            DynamoDbClients.Create(dynalite.Endpoint, WebserviceDynamoDb),
            DynamoDbClients.Create(dynalite.Endpoint, RecorderDynamoDb),
            DynamoDbClients.Create(dynalite.Endpoint),
            "bench-" + Variant.Name,
            circuit,
            downstreamHttp,
            time);
        await Variant.ProvisionAsync(Services, cancellationToken).ConfigureAwait(false);

        RecorderPool = new FunctionInstancePool(
            () => Timed(Variant.CreateRecorder(Services), HandlerNames.Recorder));
        Events = new InProcessEventBus(RecorderPool, settings.EventDeliveryDelay, settings.RedeliveryFraction, time);
        WebservicePool = new FunctionInstancePool(
            () => Timed(Variant.CreateWebservice(Services, Events), HandlerNames.Webservice));
        Api = await InProcessApiGateway.StartAsync(
            WebservicePool, TimeSpan.FromSeconds(circuit.WebserviceTimeoutSeconds), time, cancellationToken).ConfigureAwait(false);
        _owned.Add(Api);
    }

    private TimedInvocationHandler Timed(IInvocationHandler handler, string function) =>
        new(handler, function, Timings, () => StartedTimestamp);
}
