using CircuitBreaker.Contract;
using CircuitBreaker.Infra.Policies;
using Pulumi;
using Pulumi.Aws.ApiGatewayV2;
using Pulumi.Aws.ApiGatewayV2.Inputs;
using Pulumi.Aws.Lambda;

namespace CircuitBreaker.Infra;

/// <summary>
/// The whole EventBridge circuit breaker as one reusable component: the backend (the DynamoDB table, the
/// custom bus and its rule to the recorder, with EventBridge's delivery retries and dead-letter queue and
/// Lambda's retries of the recorder's errors and their own failure queue, the alarms, the state-change rule,
/// the alert topic and the dashboard; see <see cref="CircuitBreakerBackend"/> for
/// the backend alone) plus the HTTP API in front of the webservice. Each function has its own
/// least-privilege role and log group.
/// </summary>
public sealed class CircuitBreakerComponent : CircuitBreakerComponentBase
{
    /// <summary>The component's type token.</summary>
    public const string TypeToken = "circuit-breaker:index:CircuitBreaker";

    /// <summary>Runtime of both functions: the Amazon Linux 2023 custom runtime that starts <c>bootstrap</c>.</summary>
    public const string FunctionRuntime = "provided.al2023";

    /// <summary>Creates the breaker's resources as children of this component.</summary>
    public CircuitBreakerComponent(string name, CircuitBreakerArgs args, ComponentResourceOptions? options = null)
        : base(TypeToken, name, Checked(args), options)
    {
        var children = new ChildResources(this);

        // The longest route's downstream timeout plus time to publish the failure and answer (see CircuitSettings).
        var webservice = Backend.FunctionFor(
            HandlerNames.Webservice,
            "Calls the downstream through the circuit breaker",
            args.Routes.WebserviceTimeoutSeconds,
            Backend.Replayer is null ? PolicyDocuments.Webservice : PolicyDocuments.DeferringWebservice);

        var api = new Api($"{name}-api", new ApiArgs
        {
            ProtocolType = "HTTP",
            Description = "The circuit breaker's webservice",
        }, children.Options());

        var integration = new Integration($"{name}-{HandlerNames.Webservice}-integration", new IntegrationArgs
        {
            ApiId = api.Id,
            IntegrationType = "AWS_PROXY",
            IntegrationMethod = "POST",
            IntegrationUri = webservice.InvokeArn,
            PayloadFormatVersion = "2.0",
            TimeoutMilliseconds = (int)CircuitSettings.HttpApiIntegrationTimeout.TotalMilliseconds,
        }, children.Options());

        var route = new Route($"{name}-default-route", new RouteArgs
        {
            ApiId = api.Id,
            RouteKey = "$default",
            Target = integration.Id.Apply(id => $"integrations/{id}"),
        }, children.Options());

        var stage = new Stage($"{name}-default-stage", new StageArgs
        {
            ApiId = api.Id,
            Name = "$default",
            AutoDeploy = true,
            DefaultRouteSettings = new StageDefaultRouteSettingsArgs
            {
                ThrottlingBurstLimit = args.ThrottlingBurstLimit,
                ThrottlingRateLimit = args.ThrottlingRateLimit,
            },
        }, children.Options(route));

        _ = new Permission($"{name}-{HandlerNames.Webservice}-invoke", new PermissionArgs
        {
            Action = "lambda:InvokeFunction",
            Function = webservice.Name,
            Principal = "apigateway.amazonaws.com",
            // Any stage and route of this API, and nothing else.
            SourceArn = api.ExecutionArn.Apply(arn => $"{arn}/*/*"),
        }, children.Options());

        EndpointUrl = stage.InvokeUrl;
        WebserviceFunctionName = webservice.Name;

        var outputs = BackendOutputs();
        outputs["endpointUrl"] = EndpointUrl;
        outputs["webserviceFunctionName"] = WebserviceFunctionName;
        RegisterOutputs(outputs);
    }

    // Before the backend is declared: a webservice without exactly one way to its downstreams declares nothing.
    private static CircuitBreakerArgs Checked(CircuitBreakerArgs args)
    {
        ArgumentNullException.ThrowIfNull(args);
        args.EnsureDownstream();
        return args;
    }

    /// <summary>The URL to call: the <c>$default</c> stage's invoke URL.</summary>
    public Output<string> EndpointUrl { get; }

    /// <summary>The function behind the HTTP API.</summary>
    public Output<string> WebserviceFunctionName { get; }
}
