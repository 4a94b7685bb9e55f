namespace CircuitBreaker.Tests.Support;

/// <summary>An error posted to <c>/runtime/init/error</c>.</summary>
/// <param name="Body">The exact bytes posted.</param>
/// <param name="ContentType">The request's Content-Type.</param>
/// <param name="FunctionErrorType">The <c>Lambda-Runtime-Function-Error-Type</c> header.</param>
public sealed record RecordedError(byte[] Body, string? ContentType, string? FunctionErrorType)
{
    /// <summary>The posted error document.</summary>
    public LambdaErrorDocument Error => LambdaErrorDocument.Parse(Body);
}
