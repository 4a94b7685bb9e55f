using System.Globalization;
using CircuitBreaker.Local.Hosting;
using CircuitBreaker.Local.HttpApi;
using CircuitBreaker.Local.LambdaService;

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
    /// <param name="circuitStateOf">The circuit state the webservice reported for an API request id, for the per-request line.</param>
    public static async Task<int> RunAsync(
        IReadOnlyList<string> args,
        TextWriter output,
        TextWriter error,
        Func<Func<string, string?>, CancellationToken, Task> runInstance,
        Func<CancellationToken, Task<(Uri Endpoint, IAsyncDisposable Lifetime)>>? startDynamoDb,
        TimeProvider time,
        CancellationToken cancellationToken,
        Func<string, string?>? circuitStateOf = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var parsed = LocalOptionsParser.Parse(args);
        if (parsed.HelpRequested)
        {
            await output.WriteLineAsync(LocalOptionTable.Usage).ConfigureAwait(false);
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

        if (PortInUse.IsTaken(parsed.Options.Port))
        {
            await error.WriteLineAsync(PortInUse.Message(parsed.Options.Port)).ConfigureAwait(false);
            return LocalOptionsParseResult.UsageErrorExitCode;
        }

        Uri? dynamoDbEndpoint = null;
        IAsyncDisposable? dynamoDb = null;
        if (startDynamoDb is not null)
        {
            (dynamoDbEndpoint, dynamoDb) = await startDynamoDb(cancellationToken).ConfigureAwait(false);
        }

        await using var dynamoDbLifetime = dynamoDb ?? NothingToStop.Instance;
        LocalSystem system;
        try
        {
            system = await LocalSystem.StartAsync(
                parsed.Options, runInstance, dynamoDbEndpoint, time, output, summary => output.WriteLine(Describe(summary, circuitStateOf?.Invoke(summary.RequestId))), cancellationToken).ConfigureAwait(false);
        }
        catch (IOException bindFailure) when (PortInUse.IsBindFailure(bindFailure))
        {
            // Taken between the check above and the bind: still a bad option, not a crash.
            await error.WriteLineAsync(PortInUse.Message(parsed.Options.Port)).ConfigureAwait(false);
            return LocalOptionsParseResult.UsageErrorExitCode;
        }

        await using var systemLifetime = system;
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

    /// <summary>The one line per request: status, time taken, and the circuit state the webservice saw.</summary>
    public static string Describe(HttpApiRequestSummary summary, string? circuitState = null)
    {
        ArgumentNullException.ThrowIfNull(summary);
        // The invocation's outcome only matters when the function did not answer normally.
        var notes = new List<string>(2);
        if (summary.Outcome is not InvocationOutcome.Success)
        {
            notes.Add(summary.Outcome is { } ended ? "function " + ended.ToString().ToLowerInvariant() : "function not invoked");
        }

        if (circuitState is not null)
        {
            notes.Add("circuit " + circuitState);
        }

        var suffix = notes.Count == 0 ? string.Empty : $" ({string.Join(", ", notes)})";
        return string.Create(CultureInfo.InvariantCulture,
            $"{summary.Method} {summary.Path} -> {summary.StatusCode} in {summary.Elapsed.TotalMilliseconds:0} ms{suffix}");
    }

    private sealed class NothingToStop : IAsyncDisposable
    {
        public static readonly NothingToStop Instance = new();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
