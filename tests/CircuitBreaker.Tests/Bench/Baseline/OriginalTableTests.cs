using Amazon.DynamoDBv2;
using CircuitBreaker.Bench.Baseline;
using CircuitBreaker.Tests.Support;

namespace CircuitBreaker.Tests.Bench.Baseline;

/// <summary>Each test of the original's handlers gets its own table in the original's layout, on the shared dynalite.</summary>
public abstract class OriginalTableTests(DynaliteFixture dynalite) : IAsyncLifetime
{
    protected IAmazonDynamoDB Client { get; private set; } = null!;

    protected string Table { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Client = dynalite.CreateClient();
        Table = "original-" + Guid.NewGuid().ToString("N")[..12];
        await OriginalTableLayout.CreateAsync(Client, Table, TestContext.Current.CancellationToken);
    }

    public ValueTask DisposeAsync()
    {
        Client.Dispose();
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}
