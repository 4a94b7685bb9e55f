using System.Globalization;
using CircuitBreaker.Local.Hosting;
using CircuitBreaker.Local.HttpApi;

namespace CircuitBreaker.Local.Cli;

/// <summary>
/// The local host's command: options in, servers up until cancelled, exit code out. Bad options print what is
/// wrong and exit with <see cref="LocalOptionsParseResult.UsageErrorExitCode"/> before anything starts.
/// </summary>
internal static class LocalCommand
{
    /// <summary>Runs the command until <paramref name="cancellationToken"/> is cancelled.</summary>
    /// <param name="args">The command line.</param>
    /// <param name="output">Where endpoints and per-request lines go.</param>
    /// <param name="error">Where option errors go.</param>
    /// <param name="runInstance">Runs one function instance with its environment until its token is cancelled.</param>
    /// <param name="startDynamoDb">Starts the local DynamoDB once the options are valid and returns its endpoint and what
    /// stops it (disposed when the host stops); null to run without one.</param>
    /// <param name="time">The clock.</param>
    /// <param name="cancellationToken">Stops the host.</param>
    public static async Task<int> RunAsync(
        IReadOnlyList<string> args,
        TextWriter output,
        TextWriter error,
        Func<Func<string, string?>, CancellationToken, Task> runInstance,
        Func<CancellationToken, Task<(Uri Endpoint, IAsyncDisposable Lifetime)>>? startDynamoDb,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var parsed = LocalOptionsParser.Parse(args);
        if (parsed.HelpRequested)
        {
            await output.WriteLineAsync(LocalOptionsParser.Usage).ConfigureAwait(false);
            return 0;
        }

        if (parsed.Options is null)
        {
            foreach (var problem in parsed.Errors)
            {
                await error.WriteLineAsync(problem).ConfigureAwait(false);
            }

            await error.WriteLineAsync("Run with --help for the options. Nothing was started.").ConfigureAwait(false);
            return LocalOptionsParseResult.UsageErrorExitCode;
        }

        Uri? dynamoDbEndpoint = null;
        IAsyncDisposable? dynamoDb = null;
        if (startDynamoDb is not null)
        {
            (dynamoDbEndpoint, dynamoDb) = await startDynamoDb(cancellationToken).ConfigureAwait(false);
        }

        await using var dynamoDbLifetime = dynamoDb ?? NothingToStop.Instance;
        await using var system = await LocalSystem.StartAsync(
            parsed.Options, runInstance, dynamoDbEndpoint, time, output, summary => output.WriteLine(Describe(summary)), cancellationToken).ConfigureAwait(false);
        foreach (var line in system.DescribeEndpoints())
        {
            await output.WriteLineAsync(line).ConfigureAwait(false);
        }

        await output.WriteLineAsync("Press Ctrl+C to stop.").ConfigureAwait(false);
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await output.WriteLineAsync("Stopping.").ConfigureAwait(false);
        }

        return 0;
    }

    /// <summary>The one line per request.</summary>
    public static string Describe(HttpApiRequestSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var outcome = summary.Outcome is { } ended ? ended.ToString().ToLowerInvariant() : "not invoked";
        return string.Create(CultureInfo.InvariantCulture,
            $"{summary.Method} {summary.Path} -> {summary.StatusCode} in {summary.Elapsed.TotalMilliseconds:0} ms ({outcome})");
    }

    private sealed class NothingToStop : IAsyncDisposable
    {
        public static readonly NothingToStop Instance = new();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
