using CircuitBreaker.Contract;
using Pulumi;
using Pulumi.Aws.ApiGatewayV2;

namespace CircuitBreaker.Infra.Tests.Support;

/// <summary>
/// A user's program that puts the breaker in front of another resource it declares: the downstream URL is that
/// resource's output (another HTTP API's stage URL, known only once it exists), and the alarm e-mail an output too.
/// </summary>
public sealed class DownstreamOutputProgram : Stack
{
    public const string ServiceId = "orders";
    public const string AlarmEmail = "ops@example.com";

    public DownstreamOutputProgram()
    {
        var ordersApi = new Api("orders-api", new ApiArgs { ProtocolType = "HTTP" });
        var ordersStage = new Stage("orders-stage", new StageArgs { ApiId = ordersApi.Id, Name = "$default", AutoDeploy = true });

        // Any existing folder does as the package: the mocks never upload it.
        _ = new CircuitBreakerComponent("breaker", new CircuitBreakerArgs
        {
            Routes = RouteTable.PolicyOnly(CircuitPolicy.Default with { FailureThreshold = 5 }, ServiceId),
            DownstreamUrl = ordersStage.InvokeUrl,
            AlarmEmail = Output.Create(AlarmEmail),
            Code = new FileArchive(AppContext.BaseDirectory),
            FunctionNamePrefix = "downstream-output-test",
        });
    }
}
