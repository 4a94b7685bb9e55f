using CircuitBreaker.Contract;

namespace CircuitBreaker.Local.Hosting;

/// <summary>
/// The environment one function instance sees locally: what Lambda sets for a custom runtime, what the
/// stack sets (table, bus, circuit settings), and endpoint overrides that point the AWS SDK clients at the
/// local servers. Credentials are dummies (the local servers accept any signature) unless the host was given its own
/// for a DynamoDB of its choosing (<see cref="FunctionCredentials"/>).
/// </summary>
internal sealed class LocalFunctionEnvironment
{
    private readonly IReadOnlyDictionary<string, string> _shared;

    /// <param name="settings">The circuit settings (with the real downstream URL).</param>
    /// <param name="tableName">The DynamoDB table.</param>
    /// <param name="busName">The custom event bus.</param>
    /// <param name="region">The region.</param>
    /// <param name="eventsEndpoint">The local EventBridge.</param>
    /// <param name="dynamoDbEndpoint">The local DynamoDB (dynalite), when running.</param>
    /// <param name="credentials">What the functions sign with; dummies when null.</param>
    public LocalFunctionEnvironment(
        CircuitSettings settings, string tableName, string busName, string region, Uri eventsEndpoint, Uri? dynamoDbEndpoint, FunctionCredentials? credentials = null)
        : this(settings?.ToEnvironment() ?? throw new ArgumentNullException(nameof(settings)), tableName, busName, region, eventsEndpoint, dynamoDbEndpoint, credentials)
    {
    }

    /// <param name="circuitEnvironment">The breaker's variables, e.g. a route table's (<c>ROUTES</c> and the stack-wide values).</param>
    /// <param name="tableName">The DynamoDB table.</param>
    /// <param name="busName">The custom event bus.</param>
    /// <param name="region">The region.</param>
    /// <param name="eventsEndpoint">The local EventBridge.</param>
    /// <param name="dynamoDbEndpoint">The DynamoDB endpoint (dynalite, or the one given), when there is one.</param>
    /// <param name="credentials">What the functions sign with; dummies when null.</param>
    public LocalFunctionEnvironment(
        IReadOnlyDictionary<string, string> circuitEnvironment,
        string tableName,
        string busName,
        string region,
        Uri eventsEndpoint,
        Uri? dynamoDbEndpoint,
        FunctionCredentials? credentials = null)
    {
        ArgumentNullException.ThrowIfNull(circuitEnvironment);
        credentials ??= FunctionCredentials.Dummy;
        var shared = new Dictionary<string, string>(circuitEnvironment, StringComparer.Ordinal)
        {
            [FunctionEnvironment.TableName] = tableName,
            [FunctionEnvironment.EventBusName] = busName,
            [FunctionEnvironment.Region] = region,
            ["AWS_DEFAULT_REGION"] = region,
            [FunctionEnvironment.EventsEndpointUrl] = eventsEndpoint.AbsoluteUri,
            ["AWS_ACCESS_KEY_ID"] = credentials.AccessKeyId,
            ["AWS_SECRET_ACCESS_KEY"] = credentials.SecretAccessKey,
        };
        if (credentials.SessionToken is { } token)
        {
            shared["AWS_SESSION_TOKEN"] = token;
        }

        if (dynamoDbEndpoint is not null)
        {
            shared[FunctionEnvironment.DynamoDbEndpointUrl] = dynamoDbEndpoint.AbsoluteUri;
        }

        _shared = shared;
    }

    /// <summary>The variables of an instance of <paramref name="function"/> (its handler has the same name) served at <paramref name="runtimeApi"/>.</summary>
    public IReadOnlyDictionary<string, string> For(string function, string runtimeApi) =>
        new Dictionary<string, string>(_shared, StringComparer.Ordinal)
        {
            [FunctionEnvironment.Handler] = function,
            [FunctionEnvironment.FunctionName] = function,
            [FunctionEnvironment.RuntimeApi] = runtimeApi,
        };
}
