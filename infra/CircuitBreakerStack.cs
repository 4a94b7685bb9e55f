using CircuitBreaker.Infra.Artifact;
using CircuitBreaker.Infra.Configuration;
using Pulumi;

namespace CircuitBreaker.Infra;

/// <summary>
/// The stack <c>pulumi up</c> deploys: validates the whole configuration, builds the functions'
/// <c>bootstrap</c> for the configured architecture, and declares one <see cref="CircuitBreakerComponent"/>.
/// </summary>
/// <remarks>
/// The artifact is built on preview as well as on update: the engine hashes the package during preview
/// to show whether the functions' code changes, so the package must exist then. The publish is
/// incremental, so the update that follows a preview reuses it. Setting <c>artifactPath</c> skips
/// the build (a CI runner that published <c>bootstrap</c> already, or the mocks tests).
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage(
    "Naming",
    "CA1711:Identifiers should not have incorrect suffix",
    Justification = "A Pulumi stack, named as Pulumi names them; not a collection.")]
public sealed class CircuitBreakerStack : Stack
{
    /// <summary>Reads the stack's config and declares the breaker.</summary>
    public CircuitBreakerStack()
    {
        var project = Deployment.Instance.ProjectName;
        var config = new Config();

        // Everything is validated before the first resource, so a bad value never leaves a half-made stack.
        var settings = InfraSettingsReader.Read(config.Get, project);

        var package = settings.ArtifactPath is { } prebuilt
            ? FunctionArtifactBuilder.PackagePrebuilt(prebuilt, settings.NativeAot)
            : new FunctionArtifactBuilder(RepositoryLayout.FindRoot()).Build(settings.Architecture, settings.NativeAot);

        var breaker = new CircuitBreakerComponent(
            "circuit-breaker",
            CircuitBreakerArgs.From(settings, new FileArchive(package), FunctionNames.Prefix(project, Deployment.Instance.StackName)));

        EndpointUrl = breaker.EndpointUrl;
        TableName = breaker.TableName;
        EventBusName = breaker.EventBusName;
        WebserviceFunctionName = breaker.WebserviceFunctionName;
        RecorderFunctionName = breaker.RecorderFunctionName;
        DeadLetterQueueUrl = breaker.DeadLetterQueueUrl;
    }

    /// <summary>The URL to call: <c>curl "$(pulumi stack output endpointUrl)"</c>.</summary>
    [Output("endpointUrl")]
    public Output<string> EndpointUrl { get; set; }

    /// <summary>The DynamoDB table holding failures and circuit state.</summary>
    [Output("tableName")]
    public Output<string> TableName { get; set; }

    /// <summary>The custom EventBridge bus of failure events.</summary>
    [Output("eventBusName")]
    public Output<string> EventBusName { get; set; }

    /// <summary>The function behind the HTTP API.</summary>
    [Output("webserviceFunctionName")]
    public Output<string> WebserviceFunctionName { get; set; }

    /// <summary>The function that records failure events.</summary>
    [Output("recorderFunctionName")]
    public Output<string> RecorderFunctionName { get; set; }

    /// <summary>The queue of failure events the recorder could not take.</summary>
    [Output("deadLetterQueueUrl")]
    public Output<string> DeadLetterQueueUrl { get; set; }
}
