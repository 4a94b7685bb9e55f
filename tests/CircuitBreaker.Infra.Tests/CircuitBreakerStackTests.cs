using System.Globalization;
using System.Text.Json;
using CircuitBreaker.Contract;
using CircuitBreaker.Infra.Tests.Support;
using CircuitBreaker.Local.EventBridge;

namespace CircuitBreaker.Infra.Tests;

[Collection(SerialPulumiDeployments.Name)]
public sealed class CircuitBreakerStackTests(DefaultDeployment deployed) : IClassFixture<DefaultDeployment>
{
    private const string FunctionNamePrefix = StackDeployment.Project + "-" + StackDeployment.StackName;

    private static readonly (string, string)[] KeyAttributes =
        [(CircuitTable.PartitionKey, CircuitTable.KeyAttributeType), (CircuitTable.SortKey, CircuitTable.KeyAttributeType)];

    private StackDeployment Stack => deployed.Deployment;

    private RecordedResource Table => Stack.Single(ResourceTypes.Table);

    private RecordedResource Bus => Stack.Single(ResourceTypes.EventBus);

    private RecordedResource Rule => Stack.Named(ResourceTypes.EventRule, "-failures");

    private RecordedResource DeadLetterQueue => Stack.Named(ResourceTypes.Queue, "-failures-dlq");

    private RecordedResource RecorderFailuresQueue => Stack.Named(ResourceTypes.Queue, "-recorder-failures");

    private RecordedResource Webservice => Stack.Named(ResourceTypes.Function, "-" + HandlerNames.Webservice);

    private RecordedResource Recorder => Stack.Named(ResourceTypes.Function, "-" + HandlerNames.Recorder);

    private RecordedResource Api => Stack.Single(ResourceTypes.Api);

    [Fact]
    public void TableIsKeyedAndExpiredByTheContractsAttributes()
    {
        var table = Table;
        Assert.Equal(CircuitTable.PartitionKey, table.Text("hashKey"));
        Assert.Equal(CircuitTable.SortKey, table.Text("rangeKey"));
        var attributes = table.Items("attributes").Cast<System.Collections.IDictionary>()
            .Select(attribute => (Name: (string)RecordedResource.Entry(attribute, "name")!, Type: (string)RecordedResource.Entry(attribute, "type")!))
            .OrderBy(attribute => attribute.Name, StringComparer.Ordinal)
            .ToArray();
        Assert.Equal(KeyAttributes, attributes);

        var ttl = table.Map("ttl");
        Assert.Equal(CircuitTable.TimeToLiveAttribute, RecordedResource.Entry(ttl, "attributeName"));
        Assert.True((bool)RecordedResource.Entry(ttl, "enabled")!);
    }

    [Fact]
    public void TableIsOnDemandWithPointInTimeRecovery()
    {
        Assert.Equal("PAY_PER_REQUEST", Table.Text("billingMode"));
        Assert.True((bool)RecordedResource.Entry(Table.Map("pointInTimeRecovery"), "enabled")!);
    }

    [Fact]
    public void RuleIsOnTheCustomBusWithTheContractsPattern()
    {
        Assert.Equal(Bus.Computed("name"), Rule.Text("eventBusName"));
        Assert.NotEqual("default", Rule.Text("eventBusName"));
        Assert.Equal(FailureEvents.EventPattern, Rule.Text("eventPattern"));
    }

    [Fact]
    public void RulePatternMatchesTheEventTheWebservicePublishes()
    {
        var detail = new FailureEventDetail(
            ServiceId: "downstream.example.com",
            FailedAtEpochMilliseconds: 1_764_000_000_000,
            Reason: FailureReasons.Timeout,
            StatusCode: null,
            RequestId: "c6af9ac6-7b61-11e6-9a41-93e812345678",
            ElapsedMilliseconds: 10_000.4);
        var published = DeliveredEvents.As(FailureEvents.Source, FailureEvents.DetailType, JsonSerializer.Serialize(detail, ContractJsonContext.Default.FailureEventDetail));

        Assert.True(EventPatternMatcher.Parse(Rule.Text("eventPattern")).Matches(published));
    }

    [Fact]
    public void RulePatternDoesNotMatchOtherEventsOnTheBus()
    {
        var pattern = Rule.Text("eventPattern");

        Assert.False(EventPatternMatcher.Parse(pattern).Matches(DeliveredEvents.As("someone.else", FailureEvents.DetailType, "{}")));
        Assert.False(EventPatternMatcher.Parse(pattern).Matches(DeliveredEvents.As(FailureEvents.Source, "Downstream call succeeded", "{}")));
    }

    [Fact]
    public void RuleTargetsTheRecorderWithDeliveryRetriesAndADeadLetterQueue()
    {
        var target = Stack.Named(ResourceTypes.EventTarget, "-recorder-target");
        Assert.Equal(Rule.Computed("name"), target.Text("rule"));
        Assert.Equal(Bus.Computed("name"), target.Text("eventBusName"));
        Assert.Equal(Recorder.Computed("arn"), target.Text("arn"));

        // EventBridge's own retries and dead-letter queue stay, for what they cover: Lambda not accepting the event.
        var retry = target.Map("retryPolicy");
        Assert.Equal(8d, Convert.ToDouble(RecordedResource.Entry(retry, "maximumRetryAttempts"), CultureInfo.InvariantCulture));
        Assert.Equal(3600d, Convert.ToDouble(RecordedResource.Entry(retry, "maximumEventAgeInSeconds"), CultureInfo.InvariantCulture));
        Assert.Equal(DeadLetterQueue.Computed("arn"), RecordedResource.Entry(target.Map("deadLetterConfig"), "arn"));
        Assert.NotEqual(RecorderFailuresQueue.Computed("arn"), DeadLetterQueue.Computed("arn"));
    }

    [Fact]
    public void OnlyTheRuleMaySendToTheDeadLetterQueue()
    {
        var policy = Stack.Single(ResourceTypes.QueuePolicy);
        Assert.Equal(DeadLetterQueue.Computed("url"), policy.Text("queueUrl"));

        var statement = Assert.Single(PolicyStatement.Parse(policy.Text("policy")));
        Assert.Equal("Allow", statement.Effect);
        Assert.Equal("events.amazonaws.com", statement.ServicePrincipal);
        Assert.Equal("sqs:SendMessage", Assert.Single(statement.Actions));
        Assert.Equal(new[] { DeadLetterQueue.Computed("arn") }, statement.Resources);
        Assert.Equal(Rule.Computed("arn"), statement.SourceArnCondition);
    }

    [Fact]
    public void EachFunctionHasItsOwnRoleThatOnlyLambdaAssumes()
    {
        var roles = Stack.AllOf(ResourceTypes.Role);
        Assert.Equal(2, roles.Count);
        foreach (var role in roles)
        {
            var statement = Assert.Single(PolicyStatement.Parse(role.Text("assumeRolePolicy")));
            Assert.Equal("Allow", statement.Effect);
            Assert.Equal("lambda.amazonaws.com", statement.ServicePrincipal);
            Assert.Equal("sts:AssumeRole", Assert.Single(statement.Actions));
        }

        Assert.Equal(Stack.Named(ResourceTypes.Role, "-webservice-role").Computed("arn"), Webservice.Text("role"));
        Assert.Equal(Stack.Named(ResourceTypes.Role, "-recorder-role").Computed("arn"), Recorder.Text("role"));
    }

    [Theory]
    [InlineData(HandlerNames.Webservice, new[] { "dynamodb:GetItem", "dynamodb:UpdateItem" })]
    [InlineData(HandlerNames.Recorder, new[] { "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem" })]
    public void EachFunctionsPolicyGrantsExactActionsOnExactResources(string handler, string[] tableActions)
    {
        var policy = Stack.Named(ResourceTypes.RolePolicy, $"-{handler}-policy");
        Assert.Equal(Stack.Named(ResourceTypes.Role, $"-{handler}-role").Computed("name"), policy.Text("role"));
        var logGroupArn = Stack.Named(ResourceTypes.LogGroup, $"-{handler}-logs").Computed("arn");

        var grants = Grants(policy.Text("policy"));

        var expected = tableActions.ToDictionary(action => action, _ => new[] { Table.Computed("arn") });
        expected["events:PutEvents"] = [Bus.Computed("arn")];
        expected["logs:CreateLogStream"] = [logGroupArn + ":*"];
        expected["logs:PutLogEvents"] = [logGroupArn + ":*"];
        Assert.Equal(expected, grants);
    }

    [Fact]
    public void NoPolicyUsesAWildcardActionOrResource()
    {
        var documents = Stack.AllOf(ResourceTypes.RolePolicy).Select(policy => policy.Text("policy"))
            .Append(Stack.Single(ResourceTypes.QueuePolicy).Text("policy"))
            .Append(Stack.Single(ResourceTypes.TopicPolicy).Text("policy"));
        var logStreamResources = Stack.AllOf(ResourceTypes.LogGroup).Select(group => group.Computed("arn") + ":*").ToHashSet();

        foreach (var statement in documents.SelectMany(PolicyStatement.Parse))
        {
            Assert.Equal("Allow", statement.Effect);
            Assert.NotEmpty(statement.Actions);
            Assert.NotEmpty(statement.Resources);
            Assert.All(statement.Actions, action => Assert.DoesNotContain("*", action, StringComparison.Ordinal));
            Assert.All(statement.Resources, resource =>
            {
                Assert.StartsWith("arn:aws:", resource, StringComparison.Ordinal);
                // The one wildcard allowed: the streams of the function's own log group, named by Lambda at run time.
                Assert.True(!resource.Contains('*', StringComparison.Ordinal) || logStreamResources.Contains(resource), resource);
            });
        }
    }

    [Theory]
    [InlineData(HandlerNames.Webservice)]
    [InlineData(HandlerNames.Recorder)]
    public void FunctionsRunTheOneBootstrapOnTheCustomRuntime(string handler)
    {
        var function = Stack.Named(ResourceTypes.Function, "-" + handler);
        Assert.Equal("provided.al2023", function.Text("runtime"));
        Assert.Equal(handler, function.Text("handler"));
        Assert.Equal("arm64", Assert.Single(function.Texts("architectures")));
        Assert.Equal(256d, function.Number("memorySize"));
        Assert.Equal($"{FunctionNamePrefix}-{handler}", function.Text("name"));
        Assert.True(function.Has("code"));
    }

    [Fact]
    public void WebserviceOutlastsTheDownstreamTimeoutWithinTheApiIntegrationTimeout()
    {
        var timeout = Webservice.Number("timeout");
        Assert.Equal(12d, timeout);
        Assert.True(timeout > 10, "the webservice must outlast the 10 s downstream timeout to report the failure");
        Assert.True(timeout <= CircuitSettings.HttpApiIntegrationTimeout.TotalSeconds);
        Assert.Equal(10d, Recorder.Number("timeout"));
    }

    [Fact]
    public void WebserviceEnvironmentIsTheContractsSettingsTableAndBus()
    {
        Assert.Equal(ContractsSettingsTableAndBus(), Variables(Webservice));
        Assert.Equal(StackDeployment.DownstreamUrl, Variables(Webservice)[CircuitSettingKeys.DownstreamUrl.EnvironmentVariable]);
        Assert.Equal("3", Variables(Webservice)[CircuitSettingKeys.FailureThreshold.EnvironmentVariable]);
    }

    [Fact]
    public void RecorderEnvironmentIsTheContractsSettingsTableAndBus()
    {
        // The bus: the recorder publishes the transitions it makes (the circuit opening).
        Assert.Equal(ContractsSettingsTableAndBus(), Variables(Recorder));
    }

    [Theory]
    [InlineData(HandlerNames.Webservice)]
    [InlineData(HandlerNames.Recorder)]
    public void FunctionsLogJsonToTheirOwnLogGroupWithRetention(string handler)
    {
        var function = Stack.Named(ResourceTypes.Function, "-" + handler);
        var logGroup = Stack.Named(ResourceTypes.LogGroup, $"-{handler}-logs");

        Assert.Equal($"/aws/lambda/{FunctionNamePrefix}-{handler}", logGroup.Text("name"));
        Assert.Equal(14d, logGroup.Number("retentionInDays"));
        var logging = function.Map("loggingConfig");
        Assert.Equal("JSON", RecordedResource.Entry(logging, "logFormat"));
        Assert.Equal(logGroup.Text("name"), RecordedResource.Entry(logging, "logGroup"));
    }

    [Fact]
    public void HttpApiSendsEveryRequestToTheWebserviceWithPayloadTwo()
    {
        Assert.Equal("HTTP", Api.Text("protocolType"));

        var integration = Stack.Single(ResourceTypes.Integration);
        Assert.Equal(Api.Id, integration.Text("apiId"));
        Assert.Equal("AWS_PROXY", integration.Text("integrationType"));
        Assert.Equal(Webservice.Computed("invokeArn"), integration.Text("integrationUri"));
        Assert.Equal("2.0", integration.Text("payloadFormatVersion"));
        Assert.Equal(30000d, integration.Number("timeoutMilliseconds"));

        var route = Stack.Single(ResourceTypes.Route);
        Assert.Equal(Api.Id, route.Text("apiId"));
        Assert.Equal("$default", route.Text("routeKey"));
        Assert.Equal($"integrations/{integration.Id}", route.Text("target"));
    }

    [Fact]
    public void DefaultStageDeploysItselfAndThrottles()
    {
        var stage = Stack.Single(ResourceTypes.Stage);
        Assert.Equal(Api.Id, stage.Text("apiId"));
        Assert.Equal("$default", stage.Text("name"));
        Assert.True(stage.Flag("autoDeploy"));
        var throttling = stage.Map("defaultRouteSettings");
        Assert.Equal(100d, Convert.ToDouble(RecordedResource.Entry(throttling, "throttlingBurstLimit"), CultureInfo.InvariantCulture));
        Assert.Equal(50d, Convert.ToDouble(RecordedResource.Entry(throttling, "throttlingRateLimit"), CultureInfo.InvariantCulture));
    }

    [Fact]
    public void OnlyThisApiMayInvokeTheWebservice() =>
        AssertOnlyInvoker(Webservice, "-webservice-invoke", "apigateway.amazonaws.com", Api.Computed("executionArn") + "/*/*");

    [Fact]
    public void OnlyTheRuleMayInvokeTheRecorder() =>
        AssertOnlyInvoker(Recorder, "-recorder-invoke", "events.amazonaws.com", Rule.Computed("arn"));

    [Fact]
    public void BothFailureQueuesKeepFailuresForFourteenDays()
    {
        Assert.Equal(2, Stack.AllOf(ResourceTypes.Queue).Count);
        Assert.Equal(1209600d, DeadLetterQueue.Number("messageRetentionSeconds"));
        Assert.Equal(1209600d, RecorderFailuresQueue.Number("messageRetentionSeconds"));
    }

    [Fact]
    public async Task EndpointUrlIsTheDefaultStagesInvokeUrl()
    {
        var endpoint = await OutputValues.Of(Stack.Stack.EndpointUrl);

        Assert.Equal(Stack.Single(ResourceTypes.Stage).Computed("invokeUrl"), endpoint);
        Assert.Equal($"https://{Api.Id}.execute-api.{CircuitBreakerMocks.Region}.amazonaws.com/", endpoint);
    }

    [Fact]
    public async Task OutputsNameTheDeployedResources()
    {
        Assert.Equal(Table.Computed("name"), await OutputValues.Of(Stack.Stack.TableName));
        Assert.Equal(Table.Computed("arn"), await OutputValues.Of(Stack.Stack.TableArn));
        Assert.Equal(Bus.Computed("name"), await OutputValues.Of(Stack.Stack.EventBusName));
        Assert.Equal(Bus.Computed("arn"), await OutputValues.Of(Stack.Stack.EventBusArn));
        Assert.Equal(Stack.Single(ResourceTypes.Topic).Computed("arn"), await OutputValues.Of(Stack.Stack.AlertTopicArn));
        Assert.Equal(Webservice.Computed("name"), await OutputValues.Of(Stack.Stack.WebserviceFunctionName));
        Assert.Equal(Recorder.Computed("name"), await OutputValues.Of(Stack.Stack.RecorderFunctionName));
        Assert.Equal(DeadLetterQueue.Computed("url"), await OutputValues.Of(Stack.Stack.DeadLetterQueueUrl));
        Assert.Equal(RecorderFailuresQueue.Computed("url"), await OutputValues.Of(Stack.Stack.RecorderFailuresQueueUrl));
    }

    [Fact]
    public void EveryResourceBelongsToTheComponent()
    {
        // The mock engine is asked for component resources too.
        var component = Assert.Single(Stack.Recorded, resource => resource.Type == CircuitBreakerComponent.TypeToken);
        Assert.Equal("circuit-breaker", component.Name);
        Assert.All(
            Stack.Recorded.Where(resource => resource.Type != CircuitBreakerComponent.TypeToken),
            resource => Assert.StartsWith("circuit-breaker-", resource.Name, StringComparison.Ordinal));
        Assert.Single(Stack.Resources.OfType<CircuitBreakerComponent>());
    }

    internal static Dictionary<string, string[]> Grants(string document)
    {
        var grants = new Dictionary<string, string[]>();
        foreach (var statement in PolicyStatement.Parse(document))
        {
            Assert.Equal("Allow", statement.Effect);
            Assert.Null(statement.ServicePrincipal);
            foreach (var action in statement.Actions)
            {
                Assert.False(grants.ContainsKey(action), $"{action} is granted twice");
                grants[action] = [.. statement.Resources];
            }
        }

        return grants;
    }

    internal static Dictionary<string, string> Variables(RecordedResource function)
    {
        var variables = (System.Collections.IDictionary)RecordedResource.Entry(function.Map("environment"), "variables")!;
        return variables.Keys.Cast<string>().ToDictionary(key => key, key => (string)variables[key]!);
    }

    /// <summary>The function's invoke permission (logical name ending <paramref name="permissionSuffix"/>) lets exactly this principal and source in.</summary>
    private void AssertOnlyInvoker(RecordedResource function, string permissionSuffix, string principal, string sourceArn)
    {
        var permission = Stack.Named(ResourceTypes.Permission, permissionSuffix);
        Assert.Equal("lambda:InvokeFunction", permission.Text("action"));
        Assert.Equal(function.Computed("name"), permission.Text("function"));
        Assert.Equal(principal, permission.Text("principal"));
        Assert.Equal(sourceArn, permission.Text("sourceArn"));
    }

    /// <summary>The environment both functions get: the default config's settings, the table and the bus.</summary>
    private Dictionary<string, string> ContractsSettingsTableAndBus() => new(DefaultCircuitEnvironment())
    {
        [FunctionEnvironment.TableName] = Table.Computed("name"),
        [FunctionEnvironment.EventBusName] = Bus.Computed("name"),
    };

    private static IReadOnlyDictionary<string, string> DefaultCircuitEnvironment()
    {
        var result = CircuitSettingsReader.Read(
            setting => setting == CircuitSettingKeys.DownstreamUrl ? StackDeployment.DownstreamUrl : null,
            setting => setting.ConfigKey);
        Assert.True(result.IsValid);
        return result.Settings!.ToEnvironment();
    }
}
