namespace CircuitBreaker.Local.LambdaService;

/// <summary>What a caller may set on one invocation beyond its payload and timeout.</summary>
/// <param name="TraceId">
/// The X-Ray trace header of the caller's request, handed to the function as <c>Lambda-Runtime-Trace-Id</c>, as Lambda
/// continues an upstream trace (https://docs.aws.amazon.com/lambda/latest/dg/services-xray.html); a new trace when null.
/// </param>
/// <param name="RequestId">
/// Test seam: the id handed out instead of a new GUID, so that a runtime's tests can name an invocation or give it an id
/// with reserved characters. Lambda's own ids are GUIDs.
/// </param>
/// <param name="OmittedHeaders">
/// Test seam: headers left out of the invocation's <c>next</c> answer, handing a runtime a malformed invocation (no
/// deadline, no request id) that Lambda itself never sends.
/// </param>
internal sealed record InvocationOptions(string? TraceId = null, string? RequestId = null, IReadOnlyCollection<string>? OmittedHeaders = null)
{
    /// <summary>Nothing set: a new GUID, a new trace, every header.</summary>
    public static InvocationOptions None { get; } = new();

    /// <summary>Whether the <c>next</c> answer carries <paramref name="header"/>.</summary>
    public bool Sends(string header) =>
        OmittedHeaders is null || !OmittedHeaders.Contains(header, StringComparer.OrdinalIgnoreCase);
}
