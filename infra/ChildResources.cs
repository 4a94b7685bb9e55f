using CircuitBreaker.Infra.Configuration;
using CircuitBreaker.Infra.Policies;
using Pulumi;
using Pulumi.Aws.CloudWatch;
using Pulumi.Aws.Iam;

namespace CircuitBreaker.Infra;

/// <summary>Declares resources as children of one component, with the pieces every function of it shares.</summary>
internal sealed class ChildResources(ComponentResource parent)
{
    /// <summary>Options that parent a resource to the component and order it after <paramref name="dependsOn"/>.</summary>
    public CustomResourceOptions Options(params Resource[] dependsOn)
    {
        var options = new CustomResourceOptions { Parent = parent };
        foreach (var dependency in dependsOn)
        {
            options.DependsOn.Add(dependency);
        }

        return options;
    }

    /// <summary>The log group Lambda writes a function's logs to, declared first so that it has a retention.</summary>
    public LogGroup LogGroupFor(string name, string handler, string functionName, int retentionDays) =>
        new($"{name}-{handler}-logs", new LogGroupArgs
        {
            Name = FunctionNames.LogGroupOf(functionName),
            RetentionInDays = retentionDays,
        }, Options());

    /// <summary>A function's own role, which only Lambda may assume.</summary>
    public Role RoleFor(string name, string handler) =>
        new($"{name}-{handler}-role", new RoleArgs
        {
            AssumeRolePolicy = PolicyDocuments.LambdaAssumeRole(),
            Description = $"Runs the circuit breaker's {handler} function",
        }, Options());
}
