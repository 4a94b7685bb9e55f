namespace CircuitBreaker.Contract;

/// <summary>
/// Environment variables that the stack sets on the functions (besides the circuit settings, which
/// <see cref="CircuitSettingKeys"/> names) and that Lambda itself sets for a custom runtime.
/// </summary>
public static class FunctionEnvironment
{
    /// <summary>Name of the DynamoDB table holding failures and circuit state.</summary>
    public const string TableName = "TABLE_NAME";

    /// <summary>Name of the custom EventBridge bus that failure events are put on.</summary>
    public const string EventBusName = "EVENT_BUS_NAME";

    /// <summary>Set by Lambda from the function's handler setting; one of <see cref="HandlerNames"/>.</summary>
    public const string Handler = "_HANDLER";

    /// <summary>Set by Lambda: <c>host:port</c> of the Runtime API.</summary>
    public const string RuntimeApi = "AWS_LAMBDA_RUNTIME_API";

    /// <summary>Set by Lambda: the function's name, used in logs.</summary>
    public const string FunctionName = "AWS_LAMBDA_FUNCTION_NAME";

    /// <summary>Set by Lambda: the region the function runs in.</summary>
    public const string Region = "AWS_REGION";

    /// <summary>Set by Lambda per invocation: the X-Ray trace header.</summary>
    public const string TraceId = "_X_AMZN_TRACE_ID";

    /// <summary>Standard AWS SDK endpoint override for every service.</summary>
    public const string EndpointUrl = "AWS_ENDPOINT_URL";

    /// <summary>Standard AWS SDK endpoint override for DynamoDB.</summary>
    public const string DynamoDbEndpointUrl = "AWS_ENDPOINT_URL_DYNAMODB";

    /// <summary>Standard AWS SDK endpoint override for EventBridge.</summary>
    public const string EventsEndpointUrl = "AWS_ENDPOINT_URL_EVENTS";

    /// <summary>
    /// The replayer's dead-letter queue (an SQS queue URL): where a deferred request goes after <c>deferMaxAttempts</c>
    /// failed replays. Without it the request is logged and dropped.
    /// </summary>
    public const string DeadLetterQueueUrl = "DEAD_LETTER_QUEUE_URL";
}
