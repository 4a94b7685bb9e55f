using CircuitBreaker.Contract;
using CircuitBreaker.Infra.Tests.Support;
using CircuitBreaker.Local.EventBridge;

namespace CircuitBreaker.Infra.Tests;

/// <summary>
/// What whenOpen: defer adds to the stack: the replayer (same artifact, its own handler, role and log group), its rule on
/// the bus for a close with the invoke permission scoped to it, its dead-letter queue (only its role may send to it)
/// with an alarm on the alert topic, and the webservice's PutItem; a stack where no route defers declares none of it.
/// </summary>
[Collection(SerialPulumiDeployments.Name)]
public sealed class DeferredWritesStackTests
{
    private const string FunctionNamePrefix = StackDeployment.Project + "-" + StackDeployment.StackName;

    private static Task<StackDeployment> DeferringAsync() => StackDeployment.RunAsync(new Dictionary<string, string?> { ["whenOpen"] = "defer" });

    private static System.Collections.IDictionary Variables(RecordedResource function) =>
        (System.Collections.IDictionary)RecordedResource.Entry(function.Map("environment"), "variables")!;

    [Fact]
    public async Task TheReplayerIsTheSameArtifactWithItsOwnHandlerTimeoutAndDeadLetterQueue()
    {
        var stack = await DeferringAsync();
        var replayer = stack.Named(ResourceTypes.Function, "-" + HandlerNames.Replayer);
        var webservice = stack.Named(ResourceTypes.Function, "-" + HandlerNames.Webservice);

        Assert.Equal($"{FunctionNamePrefix}-{HandlerNames.Replayer}", replayer.Text("name"));
        Assert.Equal(HandlerNames.Replayer, replayer.Text("handler"));
        Assert.Equal(webservice.Text("runtime"), replayer.Text("runtime"));
        Assert.Equal((double)ReplayerDefaults.TimeoutSeconds, replayer.Number("timeout"));
        var queue = stack.Named(ResourceTypes.Queue, "-replayer-dead-letter");
        Assert.Equal(queue.Computed("url"), RecordedResource.Entry(Variables(replayer), FunctionEnvironment.DeadLetterQueueUrl));
        Assert.Equal("defer", RecordedResource.Entry(Variables(replayer), CircuitSettingKeys.WhenOpen.EnvironmentVariable));
        Assert.Equal(stack.Named(ResourceTypes.Role, "-replayer-role").Computed("arn"), replayer.Text("role"));
        Assert.Equal(stack.Named(ResourceTypes.LogGroup, "-replayer-logs").Computed("name"), RecordedResource.Entry(replayer.Map("loggingConfig"), "logGroup"));
    }

    [Fact]
    public async Task TheReplayersRoleHasExactlyTheTableActionsItUsesTheBusAndItsLogGroup()
    {
        var stack = await DeferringAsync();
        var policy = stack.Named(ResourceTypes.RolePolicy, "-replayer-policy");

        var statements = PolicyStatement.Parse(policy.Text("policy"));

        Assert.Equal(stack.Named(ResourceTypes.Role, "-replayer-role").Computed("name"), policy.Text("role"));
        Assert.Equal(3, statements.Count);
        Assert.Equal(new[] { "dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:Query", "dynamodb:DeleteItem" }, statements[0].Actions);
        Assert.Equal(new[] { stack.Single(ResourceTypes.Table).Computed("arn") }, statements[0].Resources);
        Assert.Equal(new[] { "events:PutEvents" }, statements[1].Actions);
        Assert.Equal(new[] { stack.Single(ResourceTypes.EventBus).Computed("arn") }, statements[1].Resources);
        Assert.Equal(new[] { "logs:CreateLogStream", "logs:PutLogEvents" }, statements[2].Actions);
        Assert.Equal(new[] { stack.Named(ResourceTypes.LogGroup, "-replayer-logs").Computed("arn") + ":*" }, statements[2].Resources);
    }

    [Fact]
    public async Task OnlyTheReplayersRoleMaySendToItsDeadLetterQueue()
    {
        var stack = await DeferringAsync();
        var grant = stack.Named(ResourceTypes.RolePolicy, "-replayer-dead-letter-policy");

        Assert.Equal(stack.Named(ResourceTypes.Role, "-replayer-role").Computed("name"), grant.Text("role"));
        var statement = Assert.Single(PolicyStatement.Parse(grant.Text("policy")));
        Assert.Equal(new[] { "sqs:SendMessage" }, statement.Actions);
        Assert.Equal(new[] { stack.Named(ResourceTypes.Queue, "-replayer-dead-letter").Computed("arn") }, statement.Resources);
        Assert.Equal(1209600d, stack.Named(ResourceTypes.Queue, "-replayer-dead-letter").Number("messageRetentionSeconds"));
    }

    [Fact]
    public async Task TheReplayersRuleMatchesACloseAndAReplayRequestAndOnlyItMayInvokeIt()
    {
        var stack = await DeferringAsync();
        var rule = stack.Named(ResourceTypes.EventRule, "-replay-on-close");
        var replayer = stack.Named(ResourceTypes.Function, "-" + HandlerNames.Replayer);

        Assert.Equal(EventPatterns.ReplayOnClose, rule.Text("eventPattern"));
        Assert.Equal(stack.Single(ResourceTypes.EventBus).Computed("name"), rule.Text("eventBusName"));
        var matcher = EventPatternMatcher.Parse(rule.Text("eventPattern"));
        Assert.True(matcher.Matches("""{"source":"circuit-breaker","detail-type":"Circuit State Changed","detail":{"serviceId":"a","from":"half-open","to":"closed"}}"""));
        Assert.True(matcher.Matches("""{"source":"circuit-breaker","detail-type":"Deferred Replay Requested","detail":{"serviceId":"a","to":"closed"}}"""));
        Assert.False(matcher.Matches("""{"source":"circuit-breaker","detail-type":"Circuit State Changed","detail":{"serviceId":"a","from":"closed","to":"open"}}"""));

        var target = stack.Named(ResourceTypes.EventTarget, "-replayer-target");
        Assert.Equal((rule.Computed("name"), replayer.Computed("arn"), HandlerNames.Replayer), (target.Text("rule"), target.Text("arn"), target.Text("targetId")));
        var permission = stack.Named(ResourceTypes.Permission, "-replayer-invoke");
        Assert.Equal(
            ("lambda:InvokeFunction", replayer.Computed("name"), "events.amazonaws.com", rule.Computed("arn")),
            (permission.Text("action"), permission.Text("function"), permission.Text("principal"), permission.Text("sourceArn")));
    }

    [Fact]
    public async Task TheDeadLetterQueueHasAnAlarmOnTheAlertTopicWhichLetsItPublish()
    {
        var stack = await DeferringAsync();
        var alarm = stack.Named(ResourceTypes.MetricAlarm, "-replayer-dead-letter-alarm");

        Assert.Equal($"{FunctionNamePrefix}-replayer-dead-letter-not-empty", alarm.Text("name"));
        Assert.Equal(("AWS/SQS", "ApproximateNumberOfMessagesVisible"), (alarm.Text("namespace"), alarm.Text("metricName")));
        Assert.Equal(stack.Named(ResourceTypes.Queue, "-replayer-dead-letter").Computed("name"), RecordedResource.Entry(alarm.Map("dimensions"), "QueueName"));
        Assert.Equal(new[] { stack.Single(ResourceTypes.Topic).Computed("arn") }, alarm.Texts("alarmActions"));
        Assert.Contains(
            PolicyStatement.Parse(stack.Single(ResourceTypes.TopicPolicy).Text("policy")),
            statement => statement.ServicePrincipal == "cloudwatch.amazonaws.com" && statement.SourceArnCondition == alarm.Computed("arn"));
    }

    [Fact]
    public async Task TheWebserviceMayPutItemsOnlyWhenARouteDefers()
    {
        var deferring = await DeferringAsync();
        var rejecting = await StackDeployment.RunAsync();

        Assert.Equal(
            new[] { "dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:PutItem" },
            PolicyStatement.Parse(deferring.Named(ResourceTypes.RolePolicy, "-webservice-policy").Text("policy"))[0].Actions);
        Assert.Equal(
            new[] { "dynamodb:GetItem", "dynamodb:UpdateItem" },
            PolicyStatement.Parse(rejecting.Named(ResourceTypes.RolePolicy, "-webservice-policy").Text("policy"))[0].Actions);
    }

    [Fact]
    public async Task AStackWhereNoRouteDefersDeclaresNoReplayer()
    {
        var stack = await StackDeployment.RunAsync(new Dictionary<string, string?> { ["whenOpen"] = "reject" });

        Assert.DoesNotContain(stack.Recorded, resource => resource.Name.Contains(HandlerNames.Replayer, StringComparison.Ordinal));
        Assert.DoesNotContain(stack.Recorded, resource => resource.Name.EndsWith("-replay-on-close", StringComparison.Ordinal));
    }
}
