using CircuitBreaker.Contract;
using CircuitBreaker.Infra.Policies;
using Pulumi;
using Pulumi.Aws.Iam;

namespace CircuitBreaker.Infra.Tests.Support;

/// <summary>
/// A user's own Pulumi program that embeds the library: the backend component, a role for the user's
/// function, and the component's grant of library access to that role.
/// </summary>
public sealed class LibraryUserProgram : Stack
{
    public const string RoleName = "orders-function-role";
    public const string GrantName = "orders-function-circuit-breaker";

    public LibraryUserProgram()
    {
        var circuit = CircuitSettingsReader.Read(
            setting => setting == CircuitSettingKeys.DownstreamUrl ? "https://payments.example.com/" : null,
            setting => setting.ConfigKey).Settings!;

        // Any existing folder does as the package: the mocks never upload it.
        var backend = new CircuitBreakerBackend("breaker", new CircuitBreakerBackendArgs
        {
            Circuit = circuit,
            Code = new FileArchive(AppContext.BaseDirectory),
            FunctionNamePrefix = "library-user-test",
        });
        var role = new Role(RoleName, new RoleArgs { AssumeRolePolicy = PolicyDocuments.LambdaAssumeRole() });
        _ = backend.GrantLibraryAccess(GrantName, role.Name);
    }
}
