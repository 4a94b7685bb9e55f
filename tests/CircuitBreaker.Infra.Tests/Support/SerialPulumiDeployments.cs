namespace CircuitBreaker.Infra.Tests.Support;

/// <summary>
/// Pulumi's test deployments read their config from the process-wide PULUMI_CONFIG variable and
/// must not run concurrently (Deployment.TestAsync says so), so every test that deploys runs in this
/// one serial collection.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialPulumiDeployments
{
    public const string Name = "Pulumi deployment";
}
