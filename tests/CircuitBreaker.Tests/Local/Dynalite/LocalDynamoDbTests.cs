using CircuitBreaker.Local.Dynalite;
using CircuitBreaker.Tests.Support;

namespace CircuitBreaker.Tests.Local.Dynalite;

/// <summary>The local host's DynamoDB repairs a crash, but never a dynalite that ends because the host is stopping.</summary>
public sealed class LocalDynamoDbTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ADynaliteThatEndsAtTheSameMomentAsTheHostStopsIsNotRestarted()
    {
        using var hostStopping = CancellationTokenSource.CreateLinkedTokenSource(Token);
        using var log = new StringWriter();
        var dynamoDb = await LocalDynamoDb.StartAsync(DynaliteFixture.RepositoryRoot, "circuits", DynaliteFixture.Region, TimeProvider.System, log, hostStopping.Token);

        // Ctrl+C: dynalite goes first, the host learns of its own signal a moment later.
        dynamoDb.Server.Kill();
        await Task.Delay(100, Token);
        await hostStopping.CancelAsync();
        await Task.Delay(TimeSpan.FromSeconds(2), Token);

        Assert.Equal(0, dynamoDb.Restarts);
        Assert.False(dynamoDb.Server.IsRunning);
        Assert.DoesNotContain("restarting", log.ToString(), StringComparison.Ordinal);
        await dynamoDb.DisposeAsync();
    }
}
