namespace CircuitBreaker.Local.LambdaService;

/// <summary>How the local Lambda service identifies functions and scales them.</summary>
/// <param name="Region">The region in function ARNs.</param>
/// <param name="AccountId">The account in function ARNs.</param>
/// <param name="MaxInstancesPerFunction">Instances a function may have at once (Lambda's concurrency limit, locally).</param>
/// <param name="QueueWait">How long an invocation may wait for an instance before it ends as <see cref="InvocationOutcome.NoInstance"/>
/// (Lambda's init phase may take up to 10 s).</param>
internal sealed record LocalLambdaServiceOptions(
    string Region = "us-east-1",
    string AccountId = "000000000000",
    int MaxInstancesPerFunction = 100,
    TimeSpan? QueueWait = null)
{
    /// <summary><see cref="QueueWait"/> or its default of 10 s.</summary>
    public TimeSpan EffectiveQueueWait => QueueWait ?? TimeSpan.FromSeconds(10);

    /// <summary>The function's ARN as Lambda-Runtime-Invoked-Function-Arn carries it.</summary>
    public string FunctionArn(string function) => $"arn:aws:lambda:{Region}:{AccountId}:function:{function}";
}
