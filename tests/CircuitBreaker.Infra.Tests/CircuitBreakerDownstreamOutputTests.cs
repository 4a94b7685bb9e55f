using CircuitBreaker.Contract;
using CircuitBreaker.Infra.Tests.Support;
using Pulumi;
using Pulumi.Testing;

namespace CircuitBreaker.Infra.Tests;

/// <summary>The component takes another resource's outputs where a user has them: the downstream's URL, the alarm e-mail.</summary>
[Collection(SerialPulumiDeployments.Name)]
public sealed class CircuitBreakerDownstreamOutputTests
{
    [Fact]
    public async Task ADownstreamUrlThatIsAnotherResourcesOutputReachesTheWebservice()
    {
        var mocks = new CircuitBreakerMocks();
        await Deployment.TestAsync<DownstreamOutputProgram>(mocks, new TestOptions { ProjectName = "downstream-output", StackName = "test", IsPreview = false });
        var recorded = mocks.Resources;

        var ordersStage = Assert.Single(recorded, resource => resource.Name == "orders-stage");
        var webservice = Assert.Single(recorded, resource => resource.Type == ResourceTypes.Function && resource.Name.EndsWith("-" + HandlerNames.Webservice, StringComparison.Ordinal));
        var variables = CircuitBreakerStackTests.Variables(webservice);
        Assert.Equal(ordersStage.Computed("invokeUrl"), variables[CircuitSettingKeys.DownstreamUrl.EnvironmentVariable]);
        Assert.Equal(DownstreamOutputProgram.ServiceId, variables[CircuitSettingKeys.ServiceId.EnvironmentVariable]);
        Assert.Equal("5", variables[CircuitSettingKeys.FailureThreshold.EnvironmentVariable]);
        Assert.Equal(12, webservice.Number("timeout"));

        var alarm = Assert.Single(recorded, resource => resource.Type == ResourceTypes.MetricAlarm && resource.Text("metricName") == CircuitMetrics.CircuitOpened);
        Assert.Equal(DownstreamOutputProgram.ServiceId, RecordedResource.Entry(alarm.Map("dimensions"), CircuitMetrics.ServiceIdDimension));
        var subscription = Assert.Single(recorded, resource => resource.Type == ResourceTypes.TopicSubscription);
        Assert.Equal((DownstreamOutputProgram.AlarmEmail, "email"), (subscription.Text("endpoint"), subscription.Text("protocol")));
    }

    [Fact]
    public void ADownstreamUrlBesideRoutesIsRefusedAsTwoWaysToTheDownstream()
    {
        var circuit = CircuitSettingsReader.Read(
            setting => setting == CircuitSettingKeys.DownstreamUrl ? "https://payments.example.com/" : null,
            setting => setting.ConfigKey).Settings!;
        var args = new CircuitBreakerArgs
        {
            Routes = RouteTable.OneRoute(circuit),
            DownstreamUrl = "https://elsewhere.example.com/",
            Code = new FileArchive(AppContext.BaseDirectory),
            FunctionNamePrefix = "refused",
        };

        var error = Assert.Throws<ArgumentException>(args.EnsureDownstream);
        Assert.Contains("RouteTable.PolicyOnly", error.Message, StringComparison.Ordinal);
    }
}
