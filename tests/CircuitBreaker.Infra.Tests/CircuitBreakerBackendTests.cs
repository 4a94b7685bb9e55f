using CircuitBreaker.Contract;
using CircuitBreaker.Infra.Configuration;
using CircuitBreaker.Infra.Policies;
using CircuitBreaker.Infra.Tests.Support;
using Pulumi;
using Pulumi.Testing;

namespace CircuitBreaker.Infra.Tests;

/// <summary>
/// <c>mode: backend</c>: the breaker's backend alone, for functions that embed the library, and the
/// component's way of granting such a function exactly what the library needs.
/// </summary>
[Collection(SerialPulumiDeployments.Name)]
public sealed class CircuitBreakerBackendTests
{
    private const string ServiceId = "payments";

    private static IReadOnlyDictionary<string, string?> BackendConfig { get; } = new Dictionary<string, string?>
    {
        ["mode"] = "backend",
        ["serviceId"] = ServiceId,
        ["downstreamUrl"] = null,
    };

    [Fact]
    public async Task BackendModeDeclaresTheBackendAndNoWebservice()
    {
        var stack = await StackDeployment.RunAsync(BackendConfig);

        var function = Assert.Single(stack.AllOf(ResourceTypes.Function));
        Assert.EndsWith("-" + HandlerNames.Recorder, function.Name, StringComparison.Ordinal);
        Assert.Empty(stack.AllOf(ResourceTypes.Api));
        Assert.Empty(stack.AllOf(ResourceTypes.Integration));
        Assert.Empty(stack.AllOf(ResourceTypes.Route));
        Assert.Empty(stack.AllOf(ResourceTypes.Stage));
        Assert.Single(stack.AllOf(ResourceTypes.Role));

        foreach (var type in new[] { ResourceTypes.Table, ResourceTypes.EventBus, ResourceTypes.QueuePolicy, ResourceTypes.Topic, ResourceTypes.TopicPolicy, ResourceTypes.Dashboard, ResourceTypes.FunctionEventInvokeConfig })
        {
            Assert.Single(stack.AllOf(type));
        }

        Assert.Equal(2, stack.AllOf(ResourceTypes.EventRule).Count);
        Assert.Equal(2, stack.AllOf(ResourceTypes.EventTarget).Count);
        Assert.Equal(2, stack.AllOf(ResourceTypes.Queue).Count);
        Assert.Single(stack.CircuitOpenedAlarms());
        Assert.Equal(3, stack.AllOf(ResourceTypes.MetricAlarm).Count);
    }

    [Fact]
    public async Task BackendResourcesBelongToTheBackendComponentUnderTheSameNames()
    {
        var stack = await StackDeployment.RunAsync(BackendConfig);

        var component = Assert.Single(stack.Recorded, resource => resource.Type == CircuitBreakerBackend.TypeToken);
        Assert.Equal("circuit-breaker", component.Name);
        Assert.DoesNotContain(stack.Recorded, resource => resource.Type == CircuitBreakerComponent.TypeToken);
        Assert.All(
            stack.Recorded.Where(resource => resource.Type != CircuitBreakerBackend.TypeToken),
            resource => Assert.StartsWith("circuit-breaker-", resource.Name, StringComparison.Ordinal));

        // The same logical names as in the full stack, so the backend's resources are the same ones in both modes.
        var full = await StackDeployment.RunAsync();
        var fullNames = full.Recorded.Select(resource => (resource.Type, resource.Name)).ToHashSet();
        Assert.All(
            stack.Recorded.Where(resource => resource.Type != CircuitBreakerBackend.TypeToken),
            resource => Assert.Contains((resource.Type, resource.Name), fullNames));
    }

    [Fact]
    public async Task RecorderGetsTheServiceIdAndThePolicyButNoDownstream()
    {
        var stack = await StackDeployment.RunAsync(BackendConfig);

        var variables = CircuitBreakerStackTests.Variables(stack.Single(ResourceTypes.Function));
        Assert.Equal(ServiceId, variables[CircuitSettingKeys.ServiceId.EnvironmentVariable]);
        Assert.Equal("3", variables[CircuitSettingKeys.FailureThreshold.EnvironmentVariable]);
        Assert.False(variables.ContainsKey(CircuitSettingKeys.DownstreamUrl.EnvironmentVariable));
        Assert.False(variables.ContainsKey(CircuitSettingKeys.DownstreamTimeoutSeconds.EnvironmentVariable));
        Assert.Equal(stack.Single(ResourceTypes.Table).Computed("name"), variables[FunctionEnvironment.TableName]);
        Assert.Equal(stack.Single(ResourceTypes.EventBus).Computed("name"), variables[FunctionEnvironment.EventBusName]);
    }

    [Fact]
    public async Task AlarmAndDashboardWatchTheConfiguredServiceId()
    {
        var stack = await StackDeployment.RunAsync(BackendConfig);

        Assert.Equal(ServiceId, RecordedResource.Entry(Assert.Single(stack.CircuitOpenedAlarms()).Map("dimensions"), CircuitMetrics.ServiceIdDimension));
        Assert.Contains($"\"{ServiceId}\"", stack.Single(ResourceTypes.Dashboard).Text("dashboardBody"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OutputsGiveTheLibraryWhatItNeedsAndNoEndpoint()
    {
        var stack = await StackDeployment.RunAsync(BackendConfig);
        var table = stack.Single(ResourceTypes.Table);
        var bus = stack.Single(ResourceTypes.EventBus);

        Assert.Equal(table.Computed("name"), await OutputValues.Of(stack.Stack.TableName));
        Assert.Equal(table.Computed("arn"), await OutputValues.Of(stack.Stack.TableArn));
        Assert.Equal(bus.Computed("name"), await OutputValues.Of(stack.Stack.EventBusName));
        Assert.Equal(bus.Computed("arn"), await OutputValues.Of(stack.Stack.EventBusArn));
        Assert.Null(await OutputValues.Of(stack.Stack.EndpointUrl));
        Assert.Null(await OutputValues.Of(stack.Stack.WebserviceFunctionName));
        Assert.Equal(
            PolicyDocuments.LibraryAccess(table.Computed("arn"), bus.Computed("arn")),
            await OutputValues.Of(stack.Stack.LibraryAccessPolicy));
    }

    [Fact]
    public async Task BackendModeWithoutAServiceIdIsRefusedBeforeAnyResource()
    {
        var (error, declared) = await StackDeployment.FailAsync(new Dictionary<string, string?> { ["mode"] = "backend", ["downstreamUrl"] = null });

        Assert.Contains($"config '{StackDeployment.Project}:serviceId' is required", error.ToString(), StringComparison.Ordinal);
        Assert.Empty(declared);
    }

    [Fact]
    public async Task GrantLibraryAccessAttachesExactlyTheLibrarysGrantsToTheUsersRole()
    {
        var mocks = new CircuitBreakerMocks();
        await Deployment.TestAsync<LibraryUserProgram>(mocks, new TestOptions { ProjectName = "library-user", StackName = "test", IsPreview = false });
        var recorded = mocks.Resources;

        var userRole = Assert.Single(recorded, resource => resource.Name == LibraryUserProgram.RoleName);
        var grant = Assert.Single(recorded, resource => resource.Name == LibraryUserProgram.GrantName);
        Assert.Equal(ResourceTypes.RolePolicy, grant.Type);
        Assert.Equal(userRole.Computed("name"), grant.Text("role"));

        var table = Assert.Single(recorded, resource => resource.Type == ResourceTypes.Table).Computed("arn");
        var bus = Assert.Single(recorded, resource => resource.Type == ResourceTypes.EventBus).Computed("arn");
        Assert.Equal(
            new Dictionary<string, string[]>
            {
                ["dynamodb:GetItem"] = [table],
                ["dynamodb:UpdateItem"] = [table],
                ["events:PutEvents"] = [bus],
            },
            CircuitBreakerStackTests.Grants(grant.Text("policy")));
    }
}
