using System.Text;

namespace CircuitBreaker.Tests.Support;

/// <summary>What the runtime posted for an invocation.</summary>
/// <param name="RequestId">The invocation.</param>
/// <param name="Kind">Response or error.</param>
/// <param name="Body">The exact bytes posted.</param>
/// <param name="ContentType">The request's Content-Type.</param>
/// <param name="FunctionErrorType">The <c>Lambda-Runtime-Function-Error-Type</c> header of an error.</param>
public sealed record PostedOutcome(string RequestId, OutcomeKind Kind, byte[] Body, string? ContentType, string? FunctionErrorType)
{
    /// <summary>The body as UTF-8 text.</summary>
    public string BodyText => Encoding.UTF8.GetString(Body);

    /// <summary>The error document of an error outcome; throws for a response.</summary>
    public LambdaErrorDocument Error => Kind == OutcomeKind.Error
        ? LambdaErrorDocument.Parse(Body)
        : throw new InvalidOperationException($"Invocation {RequestId} got a response, not an error: {BodyText}");
}
