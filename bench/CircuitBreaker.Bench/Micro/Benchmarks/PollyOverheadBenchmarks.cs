using BenchmarkDotNet.Attributes;
using CircuitBreaker.Aws.Configuration;
using CircuitBreaker.Aws.DynamoDb;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Configuration;
using CircuitBreaker.Core.Store;
using CircuitBreaker.Local.Dynalite;
using CircuitBreaker.Polly;
using Polly;
using Polly.CircuitBreaker;

namespace CircuitBreaker.Bench.Micro.Benchmarks;

/// <summary>
/// What <c>AddDistributedCircuitBreaker</c> costs per call, against Polly's own in-process <c>AddCircuitBreaker</c> as
/// the anchor: with the circuit closed and open, over the in-memory circuit (the strategy's own cost) and over the AWS
/// backend on dynalite (closed: one read of the state item per closedStateMaxAge, the default 1 s, or per call with 0;
/// open: answered from the instance's memory).
/// The protected call does nothing, so each figure is the pipeline's cost alone.
/// </summary>
public class PollyOverheadBenchmarks
{
    private const string ServiceId = "orders-api";
    private const string Table = "polly-bench";
    private const string Region = "us-east-1";

    private ResiliencePipeline _pipeline = ResiliencePipeline.Empty;
    private LocalDynamoDb? _dynamoDb;
    private DynamoDbDistributedCircuit? _awsCircuit;

    [GlobalSetup(Targets = [nameof(PollyClosed)])]
    public void SetupPollyClosed() => _pipeline = PollyBreaker();

    [GlobalSetup(Targets = [nameof(PollyOpen)])]
    public void SetupPollyOpen() => _pipeline = Opened(PollyBreaker());

    [GlobalSetup(Targets = [nameof(InMemoryClosed)])]
    public void SetupInMemoryClosed() => _pipeline = OverInMemory();

    [GlobalSetup(Targets = [nameof(InMemoryOpen)])]
    public void SetupInMemoryOpen() => _pipeline = Opened(OverInMemory());

    [GlobalSetup(Targets = [nameof(DynamoDbClosed)])]
    public void SetupDynamoDbClosed() => _pipeline = OverDynamoDb(open: false);

    [GlobalSetup(Targets = [nameof(DynamoDbClosedReadEveryCall)])]
    public void SetupDynamoDbClosedReadEveryCall() => _pipeline = OverDynamoDb(open: false, closedStateMaxAge: TimeSpan.Zero);

    [GlobalSetup(Targets = [nameof(DynamoDbOpen)])]
    public void SetupDynamoDbOpen() => _pipeline = OverDynamoDb(open: true);

    [GlobalCleanup]
    public void Cleanup()
    {
        _awsCircuit?.Dispose();
        _dynamoDb?.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true, Description = "empty pipeline")]
    public ValueTask<Outcome<int>> Empty() => CallAsync(_pipeline, fail: false);

    [Benchmark(Description = "Polly AddCircuitBreaker (anchor), closed")]
    public ValueTask<Outcome<int>> PollyClosed() => CallAsync(_pipeline, fail: false);

    [Benchmark(Description = "Polly AddCircuitBreaker (anchor), open")]
    public ValueTask<Outcome<int>> PollyOpen() => CallAsync(_pipeline, fail: false);

    [Benchmark(Description = "AddDistributedCircuitBreaker, in-memory circuit, closed")]
    public ValueTask<Outcome<int>> InMemoryClosed() => CallAsync(_pipeline, fail: false);

    [Benchmark(Description = "AddDistributedCircuitBreaker, in-memory circuit, open")]
    public ValueTask<Outcome<int>> InMemoryOpen() => CallAsync(_pipeline, fail: false);

    [Benchmark(Description = "AddDistributedCircuitBreaker, DynamoDB (dynalite), closed (closedStateMaxAge 1 s, the default)")]
    public ValueTask<Outcome<int>> DynamoDbClosed() => CallAsync(_pipeline, fail: false);

    [Benchmark(Description = "AddDistributedCircuitBreaker, DynamoDB (dynalite), closed, closedStateMaxAge 0 (a read per call)")]
    public ValueTask<Outcome<int>> DynamoDbClosedReadEveryCall() => CallAsync(_pipeline, fail: false);

    [Benchmark(Description = "AddDistributedCircuitBreaker, DynamoDB, open (answered from memory)")]
    public ValueTask<Outcome<int>> DynamoDbOpen() => CallAsync(_pipeline, fail: false);

    private static DistributedCircuitBreakerStrategyOptions Options() => new()
    {
        ServiceId = ServiceId,
        FailureThreshold = 3,
        OpenDuration = TimeSpan.FromHours(1),
        ShouldHandle = new PredicateBuilder().Handle<InvalidOperationException>(),
    };

    private static ResiliencePipeline PollyBreaker() => new ResiliencePipelineBuilder()
        .AddCircuitBreaker(new CircuitBreakerStrategyOptions
        {
            FailureRatio = 0.5,
            MinimumThroughput = 3,
            SamplingDuration = TimeSpan.FromSeconds(60),
            BreakDuration = TimeSpan.FromHours(1),
            ShouldHandle = new PredicateBuilder().Handle<InvalidOperationException>(),
        })
        .Build();

    private static ResiliencePipeline OverInMemory()
    {
        var options = Options();
        options.Circuit = new InMemoryDistributedCircuit(options);
        return new ResiliencePipelineBuilder().AddDistributedCircuitBreaker(options).Build();
    }

    private static ResiliencePipeline Opened(ResiliencePipeline pipeline)
    {
        for (var i = 0; i < 3; i++)
        {
            CallAsync(pipeline, fail: true).AsTask().GetAwaiter().GetResult();
        }

        return pipeline;
    }

    private ResiliencePipeline OverDynamoDb(bool open, TimeSpan? closedStateMaxAge = null)
    {
        var root = RepositoryRoot.Find(AppContext.BaseDirectory) ?? throw new InvalidOperationException("Run the bench from the repository.");
        _dynamoDb = LocalDynamoDb.StartAsync(root, Table, Region, TimeProvider.System, TextWriter.Null, CancellationToken.None).GetAwaiter().GetResult();

        // The library reads the process environment, as a deployed function's would be read.
        Environment.SetEnvironmentVariable(FunctionEnvironment.Region, Region);
        Environment.SetEnvironmentVariable(FunctionEnvironment.DynamoDbEndpointUrl, _dynamoDb.Endpoint.AbsoluteUri);
        Environment.SetEnvironmentVariable(FunctionEnvironment.EventsEndpointUrl, "http://127.0.0.1:9/");
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "local");
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "local");
        var options = Options();
        options.TableName = Table;
        options.EventBusName = "unused";
        options.ClosedStateMaxAge = closedStateMaxAge ?? options.ClosedStateMaxAge;
        _awsCircuit = DynamoDbDistributedCircuit.Create(options);
        options.Circuit = _awsCircuit;
        var pipeline = new ResiliencePipelineBuilder().AddDistributedCircuitBreaker(options).Build();
        if (open)
        {
            // Opened as the recorder opens it, then remembered by the instance at its next read.
            using var client = AwsClientFactory.DynamoDb(_dynamoDb.Endpoint, Region, TimeSpan.FromSeconds(5), new Amazon.Runtime.BasicAWSCredentials("local", "local"));
            var store = new DynamoDbCircuitStore(client, Table);
            var record = store.GetAsync(ServiceId, CancellationToken.None).GetAwaiter().GetResult();
            if (!store.TryOpenAsync(ServiceId, record.Version, DateTimeOffset.UtcNow.AddHours(1), CancellationToken.None).GetAwaiter().GetResult())
            {
                throw new InvalidOperationException("The bench could not open its circuit.");
            }

            CallAsync(pipeline, fail: false).AsTask().GetAwaiter().GetResult();
        }

        return pipeline;
    }

    private static ValueTask<Outcome<int>> CallAsync(ResiliencePipeline pipeline, bool fail)
    {
        var context = ResilienceContextPool.Shared.Get(CancellationToken.None);
        return Run(pipeline, context, fail);

        static async ValueTask<Outcome<int>> Run(ResiliencePipeline pipeline, ResilienceContext context, bool fail)
        {
            try
            {
                return await pipeline.ExecuteOutcomeAsync(
                    static (_, fail) => fail ? Outcome.FromExceptionAsValueTask<int>(new InvalidOperationException("down")) : Outcome.FromResultAsValueTask(1),
                    context,
                    fail).ConfigureAwait(false);
            }
            finally
            {
                ResilienceContextPool.Shared.Return(context);
            }
        }
    }
}
