using System.Diagnostics;
using System.Globalization;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Store;
using CircuitBreaker.Local.Dynalite;
using CircuitBreaker.Polly;
using Polly;
using Polly.CircuitBreaker;

namespace CircuitBreaker.Bench.Micro;

/// <summary>
/// What <c>AddDistributedCircuitBreaker</c> costs per call, against Polly's own in-process <c>AddCircuitBreaker</c> as
/// the anchor: with the circuit closed and open, over the in-memory circuit (the strategy's own cost) and over the AWS
/// backend on dynalite (closed: one read of the state item per call; open: answered from the instance's memory).
/// The protected call does nothing, so each figure is the pipeline's cost alone.
/// Run with <c>dotnet run -c Release --project bench/CircuitBreaker.Bench -- polly-overhead</c>.
/// </summary>
internal static class PollyOverheadBench
{
    private const string ServiceId = "orders-api";
    private const int Rounds = 5;
    private const int InProcessCalls = 200_000;
    private const int StoreCalls = 2_000;

    public static async Task<int> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        output.WriteLine($"Per call, median of {Rounds} rounds; the protected call does nothing.");
        output.WriteLine("| pipeline | circuit | µs per call | bytes allocated per call |");
        output.WriteLine("| --- | --- | ---: | ---: |");

        await MeasureAsync(output, "no strategy (empty pipeline)", "—", ResiliencePipeline.Empty, InProcessCalls, cancellationToken).ConfigureAwait(false);

        await MeasureAsync(output, "Polly `AddCircuitBreaker` (anchor)", "closed", PollyBreaker(), InProcessCalls, cancellationToken).ConfigureAwait(false);

        // A fresh breaker: the closed round's successes would keep the ratio below the threshold.
        var opened = PollyBreaker();
        for (var i = 0; i < 3; i++)
        {
            await CallAsync(opened, fail: true, cancellationToken).ConfigureAwait(false);
        }

        await MeasureAsync(output, "Polly `AddCircuitBreaker` (anchor)", "open", opened, InProcessCalls, cancellationToken).ConfigureAwait(false);

        var inMemoryOptions = Options();
        var inMemory = new InMemoryDistributedCircuit(inMemoryOptions);
        inMemoryOptions.Circuit = inMemory;
        var overInMemory = new ResiliencePipelineBuilder().AddDistributedCircuitBreaker(inMemoryOptions).Build();
        await MeasureAsync(output, "`AddDistributedCircuitBreaker`", "in-memory, closed", overInMemory, InProcessCalls, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < 3; i++)
        {
            await CallAsync(overInMemory, fail: true, cancellationToken).ConfigureAwait(false);
        }

        await MeasureAsync(output, "`AddDistributedCircuitBreaker`", "in-memory, open", overInMemory, InProcessCalls, cancellationToken).ConfigureAwait(false);

        var root = RepositoryRoot.Find(AppContext.BaseDirectory) ?? throw new InvalidOperationException("Run the bench from the repository.");
        await using var dynamoDb = await LocalDynamoDb.StartAsync(root, "polly-bench", "us-east-1", TimeProvider.System, TextWriter.Null, cancellationToken).ConfigureAwait(false);

        // The library reads the process environment, as a deployed function's would be read.
        Environment.SetEnvironmentVariable(FunctionEnvironment.Region, "us-east-1");
        Environment.SetEnvironmentVariable(FunctionEnvironment.DynamoDbEndpointUrl, dynamoDb.Endpoint.AbsoluteUri);
        Environment.SetEnvironmentVariable(FunctionEnvironment.EventsEndpointUrl, "http://127.0.0.1:9/");
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "local");
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "local");
        var awsOptions = Options();
        awsOptions.TableName = "polly-bench";
        awsOptions.EventBusName = "unused";
        using var aws = DynamoDbDistributedCircuit.Create(awsOptions);
        awsOptions.Circuit = aws;
        var overDynamoDb = new ResiliencePipelineBuilder().AddDistributedCircuitBreaker(awsOptions).Build();
        await MeasureAsync(output, "`AddDistributedCircuitBreaker`", "DynamoDB (dynalite), closed", overDynamoDb, StoreCalls, cancellationToken).ConfigureAwait(false);

        // Opened as the recorder opens it, then remembered by the instance at its next read.
        using var client = CircuitBreaker.Core.Configuration.AwsClientFactory.DynamoDb(dynamoDb.Endpoint, "us-east-1", TimeSpan.FromSeconds(5), new Amazon.Runtime.BasicAWSCredentials("local", "local"));
        var store = new DynamoDbCircuitStore(client, "polly-bench");
        var record = await store.GetAsync(ServiceId, cancellationToken).ConfigureAwait(false);
        if (!await store.TryOpenAsync(ServiceId, record.Version, DateTimeOffset.UtcNow.AddHours(1), cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidOperationException("The bench could not open its circuit.");
        }

        await MeasureAsync(output, "`AddDistributedCircuitBreaker`", "DynamoDB (dynalite), open (memory)", overDynamoDb, InProcessCalls, cancellationToken).ConfigureAwait(false);
        return 0;
    }

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

    private static async Task MeasureAsync(TextWriter output, string pipelineName, string circuit, ResiliencePipeline pipeline, int calls, CancellationToken cancellationToken)
    {
        for (var i = 0; i < Math.Min(calls, 1_000); i++)
        {
            await CallAsync(pipeline, fail: false, cancellationToken).ConfigureAwait(false);
        }

        var micros = new List<double>();
        var bytes = new List<double>();
        for (var round = 0; round < Rounds; round++)
        {
            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            var started = Stopwatch.GetTimestamp();
            for (var i = 0; i < calls; i++)
            {
                await CallAsync(pipeline, fail: false, cancellationToken).ConfigureAwait(false);
            }

            micros.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds / calls);
            bytes.Add((double)(GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / calls);
        }

        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"| {pipelineName} | {circuit} | {Median(micros):0.###} | {Median(bytes):0} |"));
    }

    private static ValueTask<Outcome<int>> CallAsync(ResiliencePipeline pipeline, bool fail, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
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

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}
