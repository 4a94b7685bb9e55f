using Amazon.DynamoDBv2;
using Amazon.Runtime;
using CircuitBreaker.Aws.Configuration;
using CircuitBreaker.Core.Configuration;
using CircuitBreaker.Core.Store;
using CircuitBreaker.Local.Dynalite;

namespace CircuitBreaker.Tests.Support;

/// <summary>One dynalite for a test collection; each test makes its own table or uses its own service ids.</summary>
public sealed class DynaliteFixture : IAsyncLifetime
{
    public const string Region = "us-east-1";

    private DynaliteServer? server;
    private int tableCounter;

    internal DynaliteServer Server => server ?? throw new InvalidOperationException("dynalite has not started.");

    public Uri Endpoint => Server.Endpoint;

    /// <summary>Explicit credentials: dynalite ignores signatures, and tests must not depend on the process environment.</summary>
    public static AWSCredentials Credentials { get; } = new BasicAWSCredentials("local", "local");

    public static string RepositoryRoot =>
        CircuitBreaker.Contract.RepositoryRoot.Find(AppContext.BaseDirectory)
        ?? throw new InvalidOperationException($"No {CircuitBreaker.Contract.RepositoryRoot.MarkerFile} above {AppContext.BaseDirectory}.");

    public async ValueTask InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await DynaliteInstaller.EnsureInstalledAsync(RepositoryRoot, Console.Error, timeout.Token);
        server = await DynaliteServer.StartAsync(DynaliteOptions.ForRepository(RepositoryRoot), timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
        }
    }

    internal IAmazonDynamoDB CreateClient(TimeSpan? timeout = null, int maxErrorRetry = 1) =>
        AwsClientFactory.DynamoDb(Endpoint, Region, timeout ?? TimeSpan.FromSeconds(5), Credentials, maxErrorRetry);

    /// <summary>Creates a fresh circuit table and returns its name.</summary>
    internal async Task<string> CreateTableAsync(IAmazonDynamoDB client, CancellationToken cancellationToken)
    {
        var name = $"circuit-{Interlocked.Increment(ref tableCounter)}-{Guid.NewGuid():N}"[..40];
        await new CircuitTableProvisioner().CreateAsync(client, name, cancellationToken);
        return name;
    }
}

[CollectionDefinition(Name)]
public sealed class DynaliteTests : ICollectionFixture<DynaliteFixture>
{
    public const string Name = "dynalite";
}
