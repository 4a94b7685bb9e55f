using CircuitBreaker.Contract;
using CircuitBreaker.Infra.Configuration;
using CircuitBreaker.Infra.Policies;
using Pulumi;
using Pulumi.Aws.ApiGatewayV2;
using Pulumi.Aws.ApiGatewayV2.Inputs;
using Pulumi.Aws.Iam;
using Pulumi.Aws.Lambda;
using Pulumi.Aws.Lambda.Inputs;

namespace CircuitBreaker.Infra;

/// <summary>
/// The whole EventBridge circuit breaker as one reusable component: the backend (the DynamoDB table, the
/// custom bus and its rule to the recorder with retries and a dead-letter queue, the circuit-opened alarm,
/// the state-change rule, the alert topic and the dashboard; see <see cref="CircuitBreakerBackend"/> for
/// the backend alone) plus the HTTP API in front of the webservice. Each function has its own
/// least-privilege role and log group.
/// </summary>
public sealed class CircuitBreakerComponent : ComponentResource
{
    /// <summary>The component's type token.</summary>
    public const string TypeToken = "circuit-breaker:index:CircuitBreaker";

    /// <summary>Runtime of both functions: the Amazon Linux 2023 custom runtime that starts <c>bootstrap</c>.</summary>
    public const string FunctionRuntime = "provided.al2023";

    private readonly BackendResources _backend;

    /// <summary>Creates the breaker's resources as children of this component.</summary>
    public CircuitBreakerComponent(string name, CircuitBreakerArgs args, ComponentResourceOptions? options = null)
        : base(TypeToken, name, options)
    {
        ArgumentNullException.ThrowIfNull(args);

        var children = new ChildResources(this);
        _backend = new BackendResources(children, name, args.Backend());
        var table = _backend.Table;
        var bus = _backend.Bus;

        var webserviceName = FunctionNames.For(args.FunctionNamePrefix, HandlerNames.Webservice);
        var webserviceLogs = children.LogGroupFor(name, HandlerNames.Webservice, webserviceName, args.LogRetentionDays);
        var webserviceRole = children.RoleFor(name, HandlerNames.Webservice);
        var webservicePolicy = new RolePolicy($"{name}-{HandlerNames.Webservice}-policy", new RolePolicyArgs
        {
            Role = webserviceRole.Name,
            Policy = Output.Tuple(table.Arn, bus.Arn, webserviceLogs.Arn)
                .Apply(arns => PolicyDocuments.Webservice(arns.Item1, arns.Item2, arns.Item3)),
        }, children.Options());

        var webserviceEnvironment = BackendResources.EnvironmentOf(args.RouteTable);
        webserviceEnvironment.Add(FunctionEnvironment.TableName, table.Name);
        webserviceEnvironment.Add(FunctionEnvironment.EventBusName, bus.Name);
        var webservice = new Function($"{name}-{HandlerNames.Webservice}", new FunctionArgs
        {
            Name = webserviceName,
            Description = "Calls the downstream through the circuit breaker",
            Role = webserviceRole.Arn,
            Runtime = FunctionRuntime,
            Handler = HandlerNames.Webservice,
            Architectures = { args.Architecture.LambdaName() },
            Code = args.Code,
            MemorySize = args.MemorySizeMb,
            // The longest route's downstream timeout plus time to publish the failure and answer (see CircuitSettings).
            Timeout = args.RouteTable.WebserviceTimeoutSeconds,
            Environment = new FunctionEnvironmentArgs { Variables = webserviceEnvironment },
            LoggingConfig = new FunctionLoggingConfigArgs { LogFormat = "JSON", LogGroup = webserviceLogs.Name },
        }, children.Options(webservicePolicy, webserviceLogs));

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
        TableName = table.Name;
        TableArn = table.Arn;
        EventBusName = bus.Name;
        EventBusArn = bus.Arn;
        WebserviceFunctionName = webservice.Name;
        RecorderFunctionName = _backend.Recorder.Name;
        DeadLetterQueueUrl = _backend.DeadLetters.Url;
        AlertTopicArn = _backend.Alerts.Arn;
        DashboardUrl = _backend.DashboardUrl;
        LibraryAccessPolicy = _backend.LibraryAccessPolicy;

        RegisterOutputs(new Dictionary<string, object?>
        {
            ["endpointUrl"] = EndpointUrl,
            ["tableName"] = TableName,
            ["tableArn"] = TableArn,
            ["eventBusName"] = EventBusName,
            ["eventBusArn"] = EventBusArn,
            ["webserviceFunctionName"] = WebserviceFunctionName,
            ["recorderFunctionName"] = RecorderFunctionName,
            ["deadLetterQueueUrl"] = DeadLetterQueueUrl,
            ["alertTopicArn"] = AlertTopicArn,
            ["dashboardUrl"] = DashboardUrl,
            ["libraryAccessPolicy"] = LibraryAccessPolicy,
        });
    }

    /// <summary>The URL to call: the <c>$default</c> stage's invoke URL.</summary>
    public Output<string> EndpointUrl { get; }

    /// <summary>The DynamoDB table holding failures and circuit state.</summary>
    public Output<string> TableName { get; }

    /// <summary>The table's ARN.</summary>
    public Output<string> TableArn { get; }

    /// <summary>The custom bus failure and state-change events go to.</summary>
    public Output<string> EventBusName { get; }

    /// <summary>The bus's ARN.</summary>
    public Output<string> EventBusArn { get; }

    /// <summary>The function behind the HTTP API.</summary>
    public Output<string> WebserviceFunctionName { get; }

    /// <summary>The function the rule invokes.</summary>
    public Output<string> RecorderFunctionName { get; }

    /// <summary>Where failure events go that the recorder could not take.</summary>
    public Output<string> DeadLetterQueueUrl { get; }

    /// <summary>The SNS topic the circuit-opened alarm and every state-change event notify.</summary>
    public Output<string> AlertTopicArn { get; }

    /// <summary>The CloudWatch console page of the circuit's dashboard.</summary>
    public Output<string> DashboardUrl { get; }

    /// <summary>
    /// An IAM policy document (JSON) granting exactly what a function that embeds the library needs on
    /// this breaker's table and bus (see <see cref="CircuitBreakerBackend.LibraryAccessPolicy"/>).
    /// </summary>
    public Output<string> LibraryAccessPolicy { get; }

    /// <summary>Attaches <see cref="LibraryAccessPolicy"/> to a function's role as an inline policy (child of this component).</summary>
    /// <param name="resourceName">The policy resource's logical name, unique in the stack.</param>
    /// <param name="roleName">The name (not the ARN) of the role the user's function runs as.</param>
    public RolePolicy GrantLibraryAccess(string resourceName, Input<string> roleName) =>
        _backend.GrantLibraryAccess(resourceName, roleName);
}
