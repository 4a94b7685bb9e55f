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
        // The backend alone has a policy and the circuit its alarm watches, and no downstream.
        // Any existing folder does as the package: the mocks never upload it.
        var backend = new CircuitBreakerBackend("breaker", new CircuitBreakerBackendArgs
        {
            Routes = RouteTable.PolicyOnly(CircuitPolicy.Default, "payments"),
            Code = new FileArchive(AppContext.BaseDirectory),
            FunctionNamePrefix = "library-user-test",
        });
        var role = new Role(RoleName, new RoleArgs { AssumeRolePolicy = PolicyDocuments.LambdaAssumeRole() });
        _ = backend.GrantLibraryAccess(GrantName, role.Name);
    }
}
