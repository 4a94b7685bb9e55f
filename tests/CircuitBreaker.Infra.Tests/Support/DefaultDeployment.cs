namespace CircuitBreaker.Infra.Tests.Support;

/// <summary>One deployment of the stack with the default (original demo) config, shared by a test class.</summary>
public sealed class DefaultDeployment : IAsyncLifetime
{
    private StackDeployment? _deployment;

    internal StackDeployment Deployment => _deployment ?? throw new InvalidOperationException("Not deployed yet.");

    public async ValueTask InitializeAsync() => _deployment = await StackDeployment.RunAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
