using CircuitBreaker.Core.Store;

namespace CircuitBreaker.Local.Dynalite;

/// <summary>
/// The local host's DynamoDB: dynalite on a loopback port with the circuit table created, watched and brought back
/// on the same port if it dies (a crash, or a test killing it), as a managed service would come back.
/// </summary>
internal sealed class LocalDynamoDb : IAsyncDisposable
{
    private static readonly TimeSpan WatchInterval = TimeSpan.FromMilliseconds(250);

    // A Ctrl+C reaches dynalite and the host at the same moment, and the host may see dynalite gone a little before
    // it sees its own signal. An exit is a crash to repair only if the host is still running this much later.
    private static readonly TimeSpan ExitGrace = TimeSpan.FromSeconds(1);

    private readonly DynaliteServer _server;
    private readonly string _tableName;
    private readonly string _region;
    private readonly TimeProvider _time;
    private readonly TextWriter _log;
    private readonly CancellationTokenSource _stopping;
    private Task _watch = Task.CompletedTask;

    private LocalDynamoDb(DynaliteServer server, string tableName, string region, TimeProvider time, TextWriter log, CancellationToken hostStopping)
    {
        (_server, _tableName, _region, _time, _log) = (server, tableName, region, time, log);
        _stopping = CancellationTokenSource.CreateLinkedTokenSource(hostStopping);
    }

    /// <summary>The DynamoDB endpoint.</summary>
    public Uri Endpoint => _server.Endpoint;

    /// <summary>The dynalite server, for tests that take the store away.</summary>
    public DynaliteServer Server => _server;

    /// <summary>How many times dynalite had to be brought back.</summary>
    public int Restarts { get; private set; }

    /// <summary>Installs dynalite if needed, starts it, creates the table, and starts watching it.</summary>
    /// <param name="repositoryRoot">Where package.json and node_modules are.</param>
    /// <param name="tableName">The circuit table to create.</param>
    /// <param name="region">The region the table's client signs for.</param>
    /// <param name="time">The watcher's clock.</param>
    /// <param name="log">Where restarts are reported.</param>
    /// <param name="cancellationToken">
    /// Cancels the start, and later says the host is stopping: from then on dynalite exiting is expected, never repaired.
    /// </param>
    public static async Task<LocalDynamoDb> StartAsync(string repositoryRoot, string tableName, string region, TimeProvider time, TextWriter log, CancellationToken cancellationToken)
    {
        await DynaliteInstaller.EnsureInstalledAsync(repositoryRoot, log, cancellationToken).ConfigureAwait(false);
        var server = await DynaliteServer.StartAsync(DynaliteOptions.ForRepository(repositoryRoot), cancellationToken).ConfigureAwait(false);
        var dynamoDb = new LocalDynamoDb(server, tableName, region, time, log, cancellationToken);
        try
        {
            await dynamoDb.CreateTableAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        dynamoDb._watch = dynamoDb.WatchAsync(dynamoDb._stopping.Token);
        return dynamoDb;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _watch.ConfigureAwait(false);
        await _server.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task CreateTableAsync(CancellationToken cancellationToken)
    {
        using var client = CircuitBreaker.Aws.Configuration.AwsClientFactory.DynamoDb(_server.Endpoint, _region, TimeSpan.FromSeconds(5), new Amazon.Runtime.BasicAWSCredentials("local", "local"));
        await new CircuitTableProvisioner().CreateAsync(client, _tableName, cancellationToken).ConfigureAwait(false);
    }

    private async Task WatchAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(WatchInterval, _time, stopping).ConfigureAwait(false);
                if (_server.IsRunning)
                {
                    continue;
                }

                await Task.Delay(ExitGrace, _time, stopping).ConfigureAwait(false);

                await _log.WriteLineAsync("[dynamodb] dynalite stopped unexpectedly: restarting it on the same port; the circuit state it held in memory is lost").ConfigureAwait(false);
                await _server.RestartAsync(stopping).ConfigureAwait(false);
                await CreateTableAsync(stopping).ConfigureAwait(false);
                Restarts++;
                await _log.WriteLineAsync($"[dynamodb] dynalite is back at {_server.Endpoint}").ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception error) when (error is DynaliteUnavailableException or Amazon.Runtime.AmazonServiceException or IOException or HttpRequestException or InvalidOperationException)
            {
                // Keep watching: the next round tries again, and the functions meanwhile answer without their store.
                await _log.WriteLineAsync($"[dynamodb] could not bring dynalite back yet: {error.Message}").ConfigureAwait(false);
            }
        }
    }
}
