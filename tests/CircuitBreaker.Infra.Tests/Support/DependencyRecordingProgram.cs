using CircuitBreaker.Contract;
using Pulumi;

namespace CircuitBreaker.Infra.Tests.Support;

/// <summary>
/// A program that declares both components, the whole breaker (<see cref="FullName"/>) and the backend alone
/// (<see cref="BackendName"/>), and keeps the options each of their resources was declared with: the mocks are never
/// told a resource's explicit dependencies (<c>DependsOn</c>), but a transformation sees them.
/// </summary>
public sealed class DependencyRecordingProgram : Stack
{
    public const string FullName = "full";
    public const string BackendName = "backend";

    private readonly List<(Resource Resource, ResourceOptions Options)> _declared = [];

    public DependencyRecordingProgram()
    {
        var circuit = CircuitSettingsReader.Read(
            setting => setting == CircuitSettingKeys.DownstreamUrl ? "https://payments.example.com/" : null,
            setting => setting.ConfigKey).Settings!;

        // Any existing folder does as the package: the mocks never upload it.
        var code = new FileArchive(AppContext.BaseDirectory);
        _ = new CircuitBreakerComponent(
            FullName,
            new CircuitBreakerArgs { Routes = RouteTable.OneRoute(circuit), Code = code, FunctionNamePrefix = "recording-full" },
            Recording());
        _ = new CircuitBreakerBackend(
            BackendName,
            new CircuitBreakerBackendArgs { Routes = RouteTable.PolicyOnly(circuit.Policy, circuit.ServiceId), Code = code, FunctionNamePrefix = "recording-backend" },
            Recording());
    }

    /// <summary>Every resource of both components (the components too), with the options it was declared with.</summary>
    public IReadOnlyList<(Resource Resource, ResourceOptions Options)> Declared => _declared;

    // A component's transformations run for each of its children as it is constructed, before it is registered.
    private ComponentResourceOptions Recording() => new()
    {
        ResourceTransformations =
        {
            args =>
            {
                _declared.Add((args.Resource, args.Options));
                return null;
            },
        },
    };
}
