using System.Diagnostics;
using System.Globalization;
using Amazon.DynamoDBv2;
using CircuitBreaker.Local.Dynalite;
using CircuitBreaker.Tests.Support;

namespace CircuitBreaker.Tests.Cli;

/// <summary>
/// A dynalite of the test's own, which the test can stall as a hung DynamoDB stalls: SIGSTOP freezes the node process,
/// the kernel still completes TCP handshakes into its backlog, and no answer ever comes until SIGCONT.
/// </summary>
internal sealed class StallableDynalite : IAsyncDisposable
{
    private static readonly string[] ConnectionTables = ["/proc/net/tcp", "/proc/net/tcp6"];

    private readonly DynaliteServer _server;
    private bool _stalled;

    private StallableDynalite(DynaliteServer server, IAmazonDynamoDB client, string table)
    {
        _server = server;
        Client = client;
        Table = table;
    }

    public Uri Endpoint => _server.Endpoint;

    public IAmazonDynamoDB Client { get; }

    /// <summary>A circuit table created at start.</summary>
    public string Table { get; }

    /// <summary>Whether this machine can run the test: kill(1) and /proc (Linux).</summary>
    public static bool Supported => OperatingSystem.IsLinux() && File.Exists("/proc/net/tcp");

    public static async Task<StallableDynalite> StartAsync(CancellationToken cancellationToken)
    {
        var server = await DynaliteServer.StartAsync(DynaliteOptions.ForRepository(DynaliteFixture.RepositoryRoot), cancellationToken);
        var client = DynamoDbClientFactoryForTests(server.Endpoint);
        const string table = "circuits";
        await new CircuitTableProvisioner().CreateAsync(client, table, cancellationToken);
        return new StallableDynalite(server, client, table);
    }

    /// <summary>Freezes dynalite (SIGSTOP).</summary>
    public void Stall()
    {
        Signal("STOP");
        _stalled = true;
    }

    /// <summary>Lets it run again (SIGCONT).</summary>
    public void Resume()
    {
        if (_stalled)
        {
            Signal("CONT");
            _stalled = false;
        }
    }

    /// <summary>
    /// Completes once process <paramref name="processId"/> holds an established TCP connection to dynalite's port:
    /// with dynalite stalled, that process is waiting for an answer that does not come.
    /// </summary>
    public async Task WaitForAConnectionFromAsync(int processId, CancellationToken cancellationToken)
    {
        var port = Endpoint.Port.ToString("X4", CultureInfo.InvariantCulture);
        while (true)
        {
            if (await ConnectedAsync(processId, port, cancellationToken))
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
        }
    }

    // Columns: sl local_address rem_address st ... inode; addresses are HEXIP:HEXPORT, state 01 is ESTABLISHED.
    // .NET's sockets are dual-mode, so an IPv4 connection may be listed in tcp6 as an IPv4-mapped address; the
    // socket is the process's when one of its descriptors links to socket:[inode].
    private static async Task<bool> ConnectedAsync(int processId, string port, CancellationToken cancellationToken)
    {
        HashSet<string> sockets;
        try
        {
            sockets = [.. new DirectoryInfo($"/proc/{processId}/fd").EnumerateFileSystemInfos()
                .Select(descriptor => descriptor.LinkTarget)
                .OfType<string>()
                .Where(target => target.StartsWith("socket:[", StringComparison.Ordinal))
                .Select(target => target["socket:[".Length..^1])];
        }
        catch (Exception e) when (e is DirectoryNotFoundException or IOException or UnauthorizedAccessException)
        {
            return false;
        }

        foreach (var table in ConnectionTables.Where(File.Exists))
        {
            foreach (var line in (await File.ReadAllLinesAsync(table, cancellationToken)).Skip(1))
            {
                var columns = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (columns.Length > 9 && columns[2].EndsWith(":" + port, StringComparison.Ordinal) && columns[3] == "01" && sockets.Contains(columns[9]))
                {
                    return true;
                }
            }
        }

        return false;
    }

    public async ValueTask DisposeAsync()
    {
        Resume();
        Client.Dispose();
        await _server.DisposeAsync();
    }

    private static IAmazonDynamoDB DynamoDbClientFactoryForTests(Uri endpoint) =>
        CircuitBreaker.Aws.Configuration.AwsClientFactory.DynamoDb(endpoint, DynaliteFixture.Region, TimeSpan.FromSeconds(5), DynaliteFixture.Credentials, 1);

    private void Signal(string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, _server.ProcessId.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
        kill.WaitForExit();
    }
}
