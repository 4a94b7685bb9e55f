using Pulumi;
using Pulumi.Aws.Iam;

namespace CircuitBreaker.Infra;

/// <summary>
/// The breaker's backend alone, for functions that embed the library instead of calling through the
/// webservice: the DynamoDB table, the bus with its failure rule to the recorder (retries, dead-letter
/// queue), the recorder, the circuit-opened alarm, the state-change rule, the alert topic and the
/// dashboard. Pass <see cref="TableName"/> and <see cref="EventBusName"/> to your functions and give
/// their roles <see cref="LibraryAccessPolicy"/> (or call <see cref="GrantLibraryAccess"/>).
/// </summary>
public sealed class CircuitBreakerBackend : ComponentResource
{
    /// <summary>The component's type token.</summary>
    public const string TypeToken = "circuit-breaker:index:CircuitBreakerBackend";

    private readonly BackendResources _backend;

    /// <summary>Creates the backend's resources as children of this component.</summary>
    public CircuitBreakerBackend(string name, CircuitBreakerBackendArgs args, ComponentResourceOptions? options = null)
        : base(TypeToken, name, options)
    {
        ArgumentNullException.ThrowIfNull(args);
        _backend = new BackendResources(new ChildResources(this), name, args);

        TableName = _backend.Table.Name;
        TableArn = _backend.Table.Arn;
        EventBusName = _backend.Bus.Name;
        EventBusArn = _backend.Bus.Arn;
        RecorderFunctionName = _backend.Recorder.Name;
        DeadLetterQueueUrl = _backend.DeadLetters.Url;
        AlertTopicArn = _backend.Alerts.Arn;
        DashboardUrl = _backend.DashboardUrl;
        LibraryAccessPolicy = _backend.LibraryAccessPolicy;

        RegisterOutputs(new Dictionary<string, object?>
        {
            ["tableName"] = TableName,
            ["tableArn"] = TableArn,
            ["eventBusName"] = EventBusName,
            ["eventBusArn"] = EventBusArn,
            ["recorderFunctionName"] = RecorderFunctionName,
            ["deadLetterQueueUrl"] = DeadLetterQueueUrl,
            ["alertTopicArn"] = AlertTopicArn,
            ["dashboardUrl"] = DashboardUrl,
            ["libraryAccessPolicy"] = LibraryAccessPolicy,
        });
    }

    /// <summary>The DynamoDB table holding failures and circuit state: the functions' <c>TABLE_NAME</c>.</summary>
    public Output<string> TableName { get; }

    /// <summary>The table's ARN.</summary>
    public Output<string> TableArn { get; }

    /// <summary>The custom bus failure and state-change events go to: the functions' <c>EVENT_BUS_NAME</c>.</summary>
    public Output<string> EventBusName { get; }

    /// <summary>The bus's ARN.</summary>
    public Output<string> EventBusArn { get; }

    /// <summary>The function the failure rule invokes.</summary>
    public Output<string> RecorderFunctionName { get; }

    /// <summary>Where failure events go that the recorder could not take.</summary>
    public Output<string> DeadLetterQueueUrl { get; }

    /// <summary>The SNS topic the circuit-opened alarm and every state-change event notify; subscribe to it.</summary>
    public Output<string> AlertTopicArn { get; }

    /// <summary>The CloudWatch console page of the circuit's dashboard.</summary>
    public Output<string> DashboardUrl { get; }

    /// <summary>
    /// An IAM policy document (JSON) granting exactly what a function needs to run the library against
    /// this backend: read and conditionally update the circuit's items in the table, put events on the bus.
    /// </summary>
    public Output<string> LibraryAccessPolicy { get; }

    /// <summary>
    /// Attaches <see cref="LibraryAccessPolicy"/> to a function's role as an inline policy, declared as a
    /// child of this component under <paramref name="resourceName"/>.
    /// </summary>
    /// <param name="resourceName">The policy resource's logical name, unique in the stack.</param>
    /// <param name="roleName">The name (not the ARN) of the role the user's function runs as.</param>
    public RolePolicy GrantLibraryAccess(string resourceName, Input<string> roleName) =>
        _backend.GrantLibraryAccess(resourceName, roleName);
}
