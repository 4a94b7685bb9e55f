using System.Globalization;
using CircuitBreaker.Local.DynamoDb;
using CircuitBreaker.Local.Hosting;
using CircuitBreaker.Local.HttpApi;
using CircuitBreaker.Local.LambdaService;

namespace CircuitBreaker.Local.Cli;

/// <summary>
/// The local host's command: options in, servers up until cancelled, exit code out. Bad options print what is
/// wrong and exit with <see cref="LocalOptionsParseResult.UsageErrorExitCode"/> before anything starts; a DynamoDB given
/// with <c>--dynamodb-endpoint</c> that cannot be used is one line and <see cref="UnavailableExitCode"/>, also before
/// anything starts; a stop (Ctrl+C) at any moment, while starting too, prints one line and exits with 0.
/// </summary>
internal static class LocalCommand
{
    /// <summary>The exit code when a dependency the host needs (dynalite, the given DynamoDB) cannot be used.</summary>
    public const int UnavailableExitCode = 1;

    private const string StoppingLine = "Stopping.";

    // A table AWS creates is ACTIVE within seconds; dynalite and DynamoDB Local make it ACTIVE at once.
    private static readonly TimeSpan TableActiveTimeout = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(1);

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
    /// <param name="hostEnvironment">The host's environment, where the credentials for <c>--dynamodb-endpoint</c> come from
    /// (default: the process's).</param>
    public static async Task<int> RunAsync(
        IReadOnlyList<string> args,
        TextWriter output,
        TextWriter error,
        Func<Func<string, string?>, CancellationToken, Task> runInstance,
        Func<CancellationToken, Task<(Uri Endpoint, IAsyncDisposable Lifetime)>>? startDynamoDb,
        TimeProvider time,
        CancellationToken cancellationToken,
        Func<string, string?>? circuitStateOf = null,
        Func<string, string?>? hostEnvironment = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var parsed = LocalOptionsParser.Parse(args);
        if (parsed.HelpRequested)
        {
            // Line by line: the console escapes line breaks inside what it is given to print as one line.
            foreach (var line in parsed.HelpText.TrimEnd().Split('\n'))
            {
                await output.WriteLineAsync(line.TrimEnd('\r')).ConfigureAwait(false);
            }

            return 0;
        }

        if (parsed.Options is not { } options)
        {
            // One line per problem; the last says that nothing started, so that one problem is one line.
            for (var i = 0; i < parsed.Errors.Count; i++)
            {
                var last = i == parsed.Errors.Count - 1;
                await error.WriteLineAsync(last ? parsed.Errors[i] + " Nothing was started; --help lists the options." : parsed.Errors[i]).ConfigureAwait(false);
            }

            return LocalOptionsParseResult.UsageErrorExitCode;
        }

        if (PortInUse.IsTaken(options.Port))
        {
            await error.WriteLineAsync(PortInUse.Message(options.Port)).ConfigureAwait(false);
            return LocalOptionsParseResult.UsageErrorExitCode;
        }

        try
        {
            return await RunUntilStoppedAsync(options, output, runInstance, startDynamoDb, time, circuitStateOf, hostEnvironment ?? Environment.GetEnvironmentVariable, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (DynamoDbEndpointUnavailableException unavailable)
        {
            await error.WriteLineAsync(unavailable.Message + " Nothing was started.").ConfigureAwait(false);
            return UnavailableExitCode;
        }
        catch (IOException bindFailure) when (PortInUse.IsBindFailure(bindFailure))
        {
            // Taken between the check above and the bind: still a bad option, not a crash.
            await error.WriteLineAsync(PortInUse.Message(options.Port)).ConfigureAwait(false);
            return LocalOptionsParseResult.UsageErrorExitCode;
        }
        catch (Exception startFailure) when (startFailure is not OutOfMemoryException)
        {
            if (!await StoppedSoonAfterAsync(time, cancellationToken).ConfigureAwait(false))
            {
                throw;
            }

            // Ctrl+C while starting: each part stops what it had started when its start is cancelled, and the parts
            // already started were stopped on the way out.
            await output.WriteLineAsync(StoppingLine).ConfigureAwait(false);
            return 0;
        }
    }

    private static async Task<int> RunUntilStoppedAsync(
        LocalOptions options,
        TextWriter output,
        Func<Func<string, string?>, CancellationToken, Task> runInstance,
        Func<CancellationToken, Task<(Uri Endpoint, IAsyncDisposable Lifetime)>>? startDynamoDb,
        TimeProvider time,
        Func<string, string?>? circuitStateOf,
        Func<string, string?> hostEnvironment,
        CancellationToken cancellationToken)
    {
        Uri? dynamoDbEndpoint = null;
        IAsyncDisposable? dynamoDb = null;
        if (options.DynamoDbEndpoint is { } given)
        {
            // Someone else's DynamoDB: nothing to start or stop, only the table to make sure of, signed as the functions will sign.
            var credentials = FunctionCredentials.From(hostEnvironment);
            await GivenDynamoDb.EnsureTableAsync(given, LocalSystem.TableName, credentials, TableActiveTimeout, cancellationToken).ConfigureAwait(false);
            options = options with { Credentials = credentials };
            dynamoDbEndpoint = given;
        }
        else if (startDynamoDb is not null)
        {
            (dynamoDbEndpoint, dynamoDb) = await startDynamoDb(cancellationToken).ConfigureAwait(false);
        }

        await using var dynamoDbLifetime = dynamoDb ?? NothingToStop.Instance;
        await using var system = await LocalSystem.StartAsync(
            options, runInstance, dynamoDbEndpoint, time, output, summary => output.WriteLine(Describe(summary, circuitStateOf?.Invoke(summary.RequestId))), cancellationToken)
            .ConfigureAwait(false);
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
            await output.WriteLineAsync(StoppingLine).ConfigureAwait(false);
        }

        return 0;
    }

    // Ctrl+C reaches node (the same process group) as it reaches the host, and node may die of it, failing the start,
    // a moment before the host sees its own signal: a start that fails this close to a stop was stopped.
    private static async Task<bool> StoppedSoonAfterAsync(TimeProvider time, CancellationToken stopping)
    {
        try
        {
            await Task.Delay(StopGrace, time, stopping).ConfigureAwait(false);
            return false;
        }
        catch (OperationCanceledException)
        {
            return true;
        }
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
