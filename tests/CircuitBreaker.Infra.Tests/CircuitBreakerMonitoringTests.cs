using System.Text.Json;
using CircuitBreaker.Contract;
using CircuitBreaker.Infra.Monitoring;
using CircuitBreaker.Infra.Tests.Support;
using CircuitBreaker.Local.EventBridge;

namespace CircuitBreaker.Infra.Tests;

/// <summary>What an operator gets from the default stack: the alarm, the state-change rule, the alert topic, the dashboard.</summary>
[Collection(SerialPulumiDeployments.Name)]
public sealed class CircuitBreakerMonitoringTests(DefaultDeployment deployed) : IClassFixture<DefaultDeployment>
{
    private const string FunctionNamePrefix = StackDeployment.Project + "-" + StackDeployment.StackName;

    // The default service id: the host of the downstream URL.
    private const string ServiceId = "downstream.example.com";

    private StackDeployment Stack => deployed.Deployment;

    private RecordedResource Bus => Stack.Single(ResourceTypes.EventBus);

    private RecordedResource Topic => Stack.Single(ResourceTypes.Topic);

    private RecordedResource Alarm => Assert.Single(Stack.CircuitOpenedAlarms());

    private RecordedResource FailureRule => Stack.Named(ResourceTypes.EventRule, "-failures");

    private RecordedResource StateChangeRule => Stack.Named(ResourceTypes.EventRule, "-state-changes");

    [Fact]
    public void AlarmFiresOnTheFirstOpeningWithinAMinuteOfTheService()
    {
        var alarm = Alarm;
        Assert.Equal($"{FunctionNamePrefix}-circuit-opened", alarm.Text("name"));
        Assert.Equal(CircuitSettingKeys.MetricsNamespace.DefaultValue, alarm.Text("namespace"));
        Assert.Equal(CircuitMetrics.CircuitOpened, alarm.Text("metricName"));
        Assert.Equal(ServiceId, RecordedResource.Entry(alarm.Map("dimensions"), CircuitMetrics.ServiceIdDimension));
        Assert.Single(alarm.Map("dimensions").Keys.Cast<object>());
        Assert.Equal("Sum", alarm.Text("statistic"));
        Assert.Equal(60d, alarm.Number("period"));
        Assert.Equal(1d, alarm.Number("evaluationPeriods"));
        Assert.Equal(1d, alarm.Number("threshold"));
        Assert.Equal("GreaterThanOrEqualToThreshold", alarm.Text("comparisonOperator"));
        Assert.Equal("notBreaching", alarm.Text("treatMissingData"));
    }

    [Fact]
    public void AlarmNotifiesTheAlertTopicOnly()
    {
        Assert.Equal(new[] { Topic.Computed("arn") }, Alarm.Texts("alarmActions"));
    }

    [Fact]
    public void StateChangeRuleIsOnTheBreakersBusWithTheContractsPattern()
    {
        Assert.Equal(Bus.Computed("name"), StateChangeRule.Text("eventBusName"));
        Assert.Equal(StateChangeEvents.EventPattern, StateChangeRule.Text("eventPattern"));
    }

    [Fact]
    public void StateChangeRuleTargetsTheAlertTopic()
    {
        var target = Stack.Named(ResourceTypes.EventTarget, "-state-changes-target");
        Assert.Equal(StateChangeRule.Computed("name"), target.Text("rule"));
        Assert.Equal(Bus.Computed("name"), target.Text("eventBusName"));
        Assert.Equal(Topic.Computed("arn"), target.Text("arn"));
        Assert.Equal(2, Stack.AllOf(ResourceTypes.EventTarget).Count);
    }

    [Theory]
    [InlineData(CircuitStateNames.Closed, CircuitStateNames.Open)]
    [InlineData(CircuitStateNames.Open, CircuitStateNames.HalfOpen)]
    [InlineData(CircuitStateNames.HalfOpen, CircuitStateNames.Closed)]
    [InlineData(CircuitStateNames.Closed, CircuitStateNames.Isolated)]
    public void StateChangeRuleMatchesEveryTransitionAndTheFailureRuleNone(string from, string to)
    {
        var published = StateChange(from, to);

        Assert.True(EventPatternMatcher.Parse(StateChangeRule.Text("eventPattern")).Matches(published));
        Assert.False(EventPatternMatcher.Parse(FailureRule.Text("eventPattern")).Matches(published));
    }

    [Fact]
    public void StateChangeRuleDoesNotMatchFailureEvents()
    {
        var detail = new FailureEventDetail(ServiceId, 1_764_000_000_000, FailureReasons.Timeout, null, "req-1", 10_000);
        var failure = DeliveredEvents.As(FailureEvents.Source, FailureEvents.DetailType, JsonSerializer.Serialize(detail, ContractJsonContext.Default.FailureEventDetail));

        Assert.True(EventPatternMatcher.Parse(FailureRule.Text("eventPattern")).Matches(failure));
        Assert.False(EventPatternMatcher.Parse(StateChangeRule.Text("eventPattern")).Matches(failure));
    }

    [Fact]
    public void OnlyTheStateChangeRuleAndTheAlarmsMayPublishToTheTopic()
    {
        var policy = Stack.Single(ResourceTypes.TopicPolicy);
        Assert.Equal(Topic.Computed("arn"), policy.Text("arn"));

        var statements = PolicyStatement.Parse(policy.Text("policy"));
        Assert.Equal(
            new[]
            {
                ("events.amazonaws.com", StateChangeRule.Computed("arn")),
                ("cloudwatch.amazonaws.com", Alarm.Computed("arn")),
                ("cloudwatch.amazonaws.com", Stack.Named(ResourceTypes.MetricAlarm, "-failures-dlq-alarm").Computed("arn")),
                ("cloudwatch.amazonaws.com", Stack.Named(ResourceTypes.MetricAlarm, "-recorder-failures-alarm").Computed("arn")),
            },
            statements.Select(statement => (statement.ServicePrincipal!, statement.SourceArnCondition!)).ToArray());
        Assert.All(statements, statement =>
        {
            Assert.Equal("Allow", statement.Effect);
            Assert.Equal("sns:Publish", Assert.Single(statement.Actions));
            Assert.Equal(new[] { Topic.Computed("arn") }, statement.Resources);
        });
    }

    [Fact]
    public void NoAddressIsSubscribedUnlessAlarmEmailIsSet()
    {
        Assert.Empty(Stack.AllOf(ResourceTypes.TopicSubscription));
    }

    [Fact]
    public void DashboardIsNamedForTheStackAndShowsTheAlarmAndTheServicesMetrics()
    {
        var dashboard = Stack.Single(ResourceTypes.Dashboard);
        Assert.Equal(FunctionNamePrefix, dashboard.Text("dashboardName"));

        var expected = DashboardLayout.Build(CircuitBreakerMocks.Region, CircuitSettingKeys.MetricsNamespace.DefaultValue!, ServiceId, Alarm.Computed("arn"));
        Assert.Equal(expected, dashboard.Text("dashboardBody"));
    }

    [Fact]
    public async Task DashboardUrlOpensTheDashboardInTheStacksRegion()
    {
        Assert.Equal(
            $"https://{CircuitBreakerMocks.Region}.console.aws.amazon.com/cloudwatch/home?region={CircuitBreakerMocks.Region}#dashboards:name={FunctionNamePrefix}",
            await OutputValues.Of(Stack.Stack.DashboardUrl));
    }

    [Fact]
    public async Task LibraryAccessPolicyGrantsTheWebservicesTableActionsAndPutEventsOnThisBusOnly()
    {
        var table = Stack.Single(ResourceTypes.Table).Computed("arn");
        var bus = Bus.Computed("arn");

        var grants = CircuitBreakerStackTests.Grants(await OutputValues.Of(Stack.Stack.LibraryAccessPolicy));

        Assert.Equal(
            new Dictionary<string, string[]>
            {
                ["dynamodb:GetItem"] = [table],
                ["dynamodb:UpdateItem"] = [table],
                ["events:PutEvents"] = [bus],
            },
            grants);
    }

    private static string StateChange(string from, string to)
    {
        var detail = new CircuitStateChangeDetail(
            ServiceId, from, to, "3 failures within 60 s", new DateTimeOffset(2025, 11, 24, 12, 0, 0, TimeSpan.Zero),
            to == CircuitStateNames.Open ? new DateTimeOffset(2025, 11, 24, 12, 1, 0, TimeSpan.Zero) : null, "req-1");
        return DeliveredEvents.As(
            StateChangeEvents.Source, StateChangeEvents.DetailType, JsonSerializer.Serialize(detail, ContractJsonContext.Default.CircuitStateChangeDetail));
    }
}
