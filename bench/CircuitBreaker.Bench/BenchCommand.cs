using CircuitBreaker.Bench.Metrics;
using CircuitBreaker.Bench.Stack;

namespace CircuitBreaker.Bench;

/// <summary>Runs every measurement in turn and writes the report.</summary>
internal static class BenchCommand
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, CancellationToken cancellationToken)
    {
        BenchOptions options;
        try
        {
            options = BenchOptions.Parse(args);
        }
        catch (ArgumentException error)
        {
            await output.WriteLineAsync(error.Message).ConfigureAwait(false);
            return 2;
        }

        var root = RepositoryLocator.Find();
        var variants = Variants().Where(v => options.Only is null || v.Name == options.Only).ToList();
        var runs = new List<OutageRunResult>();
        for (var repetition = 1; repetition <= options.Repetitions; repetition++)
        {
            foreach (var variant in variants)
            {
                await output.WriteLineAsync($"Outage run {repetition}/{options.Repetitions}: {variant.Name}").ConfigureAwait(false);
                await using var stack = await BenchStack.StartAsync(variant, options.Stack, root, cancellationToken).ConfigureAwait(false);
                var run = await options.Scenario.RunAsync(stack, repetition, output, cancellationToken).ConfigureAwait(false);
                runs.Add(run);
                var summary = OutageSummary.Of(run);
                await output.WriteLineAsync(
                    $"  done: {summary.Requests} requests, downstream calls while unhealthy {summary.DownstreamCallsWhileUnhealthy}, "
                    + $"function-seconds {summary.FunctionSeconds:0.0}, DynamoDB reads/writes {summary.DynamoDbReads}/{summary.DynamoDbWrites}, "
                    + $"p50/p99 {summary.LatencyP50Ms:0}/{summary.LatencyP99Ms:0} ms, recovery→first success {summary.RecoveryToFirstSuccessSeconds:0.00} s")
                    .ConfigureAwait(false);
            }
        }

        return 0;
    }

    private static IEnumerable<BreakerVariant> Variants()
    {
#if HAS_CIRCUIT_STORE
        yield return new OursVariant();
#endif
        yield return new BaselineVariant();
    }
}
