using CircuitBreaker.Contract;
using CircuitBreaker.Infra.Configuration;
using CircuitBreaker.Infra.Policies;
using Pulumi;
using Pulumi.Aws.ApiGatewayV2;
using Pulumi.Aws.ApiGatewayV2.Inputs;
using Pulumi.Aws.CloudWatch;
using Pulumi.Aws.CloudWatch.Inputs;
using Pulumi.Aws.DynamoDB;
using Pulumi.Aws.DynamoDB.Inputs;
using Pulumi.Aws.Iam;
using Pulumi.Aws.Lambda;
using Pulumi.Aws.Lambda.Inputs;
using Pulumi.Aws.Sqs;

namespace CircuitBreaker.Infra;

/// <summary>
/// The whole EventBridge circuit breaker as one reusable component: the DynamoDB table, the custom bus
/// and its rule to the recorder (with retries and a dead-letter queue), the HTTP API in front of the
/// webservice, both functions with their own least-privilege roles and log groups.
/// </summary>
public sealed class CircuitBreakerComponent : ComponentResource
{
    /// <summary>The component's type token.</summary>
    public const string TypeToken = "circuit-breaker:index:CircuitBreaker";

    /// <summary>Runtime of both functions: the Amazon Linux 2023 custom runtime that starts <c>bootstrap</c>.</summary>
    public const string FunctionRuntime = "provided.al2023";

    /// <summary>Creates the breaker's resources as children of this component.</summary>
    public CircuitBreakerComponent(string name, CircuitBreakerArgs args, ComponentResourceOptions? options = null)
        : base(TypeToken, name, options)
    {
        ArgumentNullException.ThrowIfNull(args);

        var table = new Table($"{name}-table", new TableArgs
        {
            Attributes =
            {
                new TableAttributeArgs { Name = CircuitTable.PartitionKey, Type = CircuitTable.KeyAttributeType },
                new TableAttributeArgs { Name = CircuitTable.SortKey, Type = CircuitTable.KeyAttributeType },
            },
            HashKey = CircuitTable.PartitionKey,
            RangeKey = CircuitTable.SortKey,
            BillingMode = "PAY_PER_REQUEST",
            Ttl = new TableTtlArgs { AttributeName = CircuitTable.TimeToLiveAttribute, Enabled = true },
            PointInTimeRecovery = new TablePointInTimeRecoveryArgs { Enabled = true },
        }, Child());

        var bus = new EventBus($"{name}-bus", new EventBusArgs
        {
            Description = "Failure events of the circuit breaker's webservice",
        }, Child());

        var rule = new EventRule($"{name}-failures", new EventRuleArgs
        {
            EventBusName = bus.Name,
            EventPattern = FailureEvents.EventPattern,
            Description = "Routes each downstream failure to the recorder",
        }, Child());

        // Fourteen days, SQS's longest retention: time to notice and replay a lost failure.
        var deadLetters = new Queue($"{name}-failures-dlq", new QueueArgs
        {
            MessageRetentionSeconds = 1209600,
        }, Child());

        var deadLetterPolicy = new QueuePolicy($"{name}-failures-dlq-policy", new QueuePolicyArgs
        {
            QueueUrl = deadLetters.Url,
            Policy = Output.Tuple(deadLetters.Arn, rule.Arn).Apply(arns => PolicyDocuments.DeadLetterQueue(arns.Item1, arns.Item2)),
        }, Child());

        var webserviceName = FunctionNames.For(args.FunctionNamePrefix, HandlerNames.Webservice);
        var webserviceLogs = LogGroupFor(name, HandlerNames.Webservice, webserviceName, args.LogRetentionDays);
        var webserviceRole = RoleFor(name, HandlerNames.Webservice);
        var webservicePolicy = new RolePolicy($"{name}-{HandlerNames.Webservice}-policy", new RolePolicyArgs
        {
            Role = webserviceRole.Name,
            Policy = Output.Tuple(table.Arn, bus.Arn, webserviceLogs.Arn)
                .Apply(arns => PolicyDocuments.Webservice(arns.Item1, arns.Item2, arns.Item3)),
        }, Child());

        var webserviceEnvironment = EnvironmentOf(args.Circuit);
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
            // The downstream timeout plus time to publish the failure and answer (see CircuitSettings).
            Timeout = args.Circuit.WebserviceTimeoutSeconds,
            Environment = new FunctionEnvironmentArgs { Variables = webserviceEnvironment },
            LoggingConfig = new FunctionLoggingConfigArgs { LogFormat = "JSON", LogGroup = webserviceLogs.Name },
        }, Child(webservicePolicy, webserviceLogs));

        var recorderName = FunctionNames.For(args.FunctionNamePrefix, HandlerNames.Recorder);
        var recorderLogs = LogGroupFor(name, HandlerNames.Recorder, recorderName, args.LogRetentionDays);
        var recorderRole = RoleFor(name, HandlerNames.Recorder);
        var recorderPolicy = new RolePolicy($"{name}-{HandlerNames.Recorder}-policy", new RolePolicyArgs
        {
            Role = recorderRole.Name,
            Policy = Output.Tuple(table.Arn, recorderLogs.Arn)
                .Apply(arns => PolicyDocuments.Recorder(arns.Item1, arns.Item2)),
        }, Child());

        // The recorder opens the circuit, so it needs the same threshold, window and open period.
        var recorderEnvironment = EnvironmentOf(args.Circuit);
        recorderEnvironment.Add(FunctionEnvironment.TableName, table.Name);
        var recorder = new Function($"{name}-{HandlerNames.Recorder}", new FunctionArgs
        {
            Name = recorderName,
            Description = "Records failure events and opens the circuit",
            Role = recorderRole.Arn,
            Runtime = FunctionRuntime,
            Handler = HandlerNames.Recorder,
            Architectures = { args.Architecture.LambdaName() },
            Code = args.Code,
            MemorySize = args.MemorySizeMb,
            Timeout = args.RecorderTimeoutSeconds,
            Environment = new FunctionEnvironmentArgs { Variables = recorderEnvironment },
            LoggingConfig = new FunctionLoggingConfigArgs { LogFormat = "JSON", LogGroup = recorderLogs.Name },
        }, Child(recorderPolicy, recorderLogs));

        var recorderInvoke = new Permission($"{name}-{HandlerNames.Recorder}-invoke", new PermissionArgs
        {
            Action = "lambda:InvokeFunction",
            Function = recorder.Name,
            Principal = "events.amazonaws.com",
            SourceArn = rule.Arn,
        }, Child());

        _ = new EventTarget($"{name}-{HandlerNames.Recorder}-target", new EventTargetArgs
        {
            Rule = rule.Name,
            EventBusName = bus.Name,
            TargetId = HandlerNames.Recorder,
            Arn = recorder.Arn,
            RetryPolicy = new EventTargetRetryPolicyArgs
            {
                MaximumRetryAttempts = args.EventRetryAttempts,
                MaximumEventAgeInSeconds = args.EventMaxAgeSeconds,
            },
            DeadLetterConfig = new EventTargetDeadLetterConfigArgs { Arn = deadLetters.Arn },
        }, Child(recorderInvoke, deadLetterPolicy));

        var api = new Api($"{name}-api", new ApiArgs
        {
            ProtocolType = "HTTP",
            Description = "The circuit breaker's webservice",
        }, Child());

        var integration = new Integration($"{name}-{HandlerNames.Webservice}-integration", new IntegrationArgs
        {
            ApiId = api.Id,
            IntegrationType = "AWS_PROXY",
            IntegrationMethod = "POST",
            IntegrationUri = webservice.InvokeArn,
            PayloadFormatVersion = "2.0",
            TimeoutMilliseconds = (int)CircuitSettings.HttpApiIntegrationTimeout.TotalMilliseconds,
        }, Child());

        var route = new Route($"{name}-default-route", new RouteArgs
        {
            ApiId = api.Id,
            RouteKey = "$default",
            Target = integration.Id.Apply(id => $"integrations/{id}"),
        }, Child());

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
        }, Child(route));

        _ = new Permission($"{name}-{HandlerNames.Webservice}-invoke", new PermissionArgs
        {
            Action = "lambda:InvokeFunction",
            Function = webservice.Name,
            Principal = "apigateway.amazonaws.com",
            // Any stage and route of this API, and nothing else.
            SourceArn = api.ExecutionArn.Apply(arn => $"{arn}/*/*"),
        }, Child());

        EndpointUrl = stage.InvokeUrl;
        TableName = table.Name;
        EventBusName = bus.Name;
        WebserviceFunctionName = webservice.Name;
        RecorderFunctionName = recorder.Name;
        DeadLetterQueueUrl = deadLetters.Url;

        RegisterOutputs(new Dictionary<string, object?>
        {
            ["endpointUrl"] = EndpointUrl,
            ["tableName"] = TableName,
            ["eventBusName"] = EventBusName,
            ["webserviceFunctionName"] = WebserviceFunctionName,
            ["recorderFunctionName"] = RecorderFunctionName,
            ["deadLetterQueueUrl"] = DeadLetterQueueUrl,
        });
    }

    /// <summary>The URL to call: the <c>$default</c> stage's invoke URL.</summary>
    public Output<string> EndpointUrl { get; }

    /// <summary>The DynamoDB table holding failures and circuit state.</summary>
    public Output<string> TableName { get; }

    /// <summary>The custom bus failure events go to.</summary>
    public Output<string> EventBusName { get; }

    /// <summary>The function behind the HTTP API.</summary>
    public Output<string> WebserviceFunctionName { get; }

    /// <summary>The function the rule invokes.</summary>
    public Output<string> RecorderFunctionName { get; }

    /// <summary>Where failure events go that the recorder could not take.</summary>
    public Output<string> DeadLetterQueueUrl { get; }

    private CustomResourceOptions Child(params Resource[] dependsOn)
    {
        var options = new CustomResourceOptions { Parent = this };
        foreach (var dependency in dependsOn)
        {
            options.DependsOn.Add(dependency);
        }

        return options;
    }

    private static InputMap<string> EnvironmentOf(CircuitSettings circuit)
    {
        var variables = new InputMap<string>();
        foreach (var (key, value) in circuit.ToEnvironment())
        {
            variables.Add(key, value);
        }

        return variables;
    }

    private LogGroup LogGroupFor(string name, string handler, string functionName, int retentionDays) =>
        new($"{name}-{handler}-logs", new LogGroupArgs
        {
            Name = FunctionNames.LogGroupOf(functionName),
            RetentionInDays = retentionDays,
        }, Child());

    private Role RoleFor(string name, string handler) =>
        new($"{name}-{handler}-role", new RoleArgs
        {
            AssumeRolePolicy = PolicyDocuments.LambdaAssumeRole(),
            Description = $"Runs the circuit breaker's {handler} function",
        }, Child());
}
