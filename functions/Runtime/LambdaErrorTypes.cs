using CircuitBreaker.Core.Configuration;
using CircuitBreaker.Functions.Configuration;

namespace CircuitBreaker.Functions.Runtime;

/// <summary>
/// The values this runtime sends in <c>Lambda-Runtime-Function-Error-Type</c>: a stable category that
/// metrics and tests can match on. The error body's <c>errorType</c> carries the exception's own type name
/// for the human reading it. The <c>Runtime.</c> prefix follows Lambda's own runtime error names; the one
/// error Lambda itself also names, an oversized response, keeps Lambda's name.
/// </summary>
internal static class LambdaErrorTypes
{
    /// <summary>The handler could not read its event (<see cref="InvalidEventException"/>).</summary>
    public const string InvalidEvent = "Runtime.InvalidEvent";

    /// <summary>The function's environment is wrong (<see cref="FunctionConfigurationException"/>); usually an init error.</summary>
    public const string ConfigurationError = "Runtime.ConfigurationError";

    /// <summary>The handler was cancelled at the invocation's deadline (<see cref="InvocationDeadlineExceededException"/>).</summary>
    public const string DeadlineExceeded = "Runtime.DeadlineExceeded";

    /// <summary>The Runtime API handed out an invocation without a readable deadline (<see cref="MalformedInvocationException"/>).</summary>
    public const string MalformedInvocation = "Runtime.MalformedInvocation";

    /// <summary>The Runtime API refused the response as too large (<see cref="ResponseTooLargeException"/>); Lambda's own name.</summary>
    public const string ResponseSizeTooLarge = "Function.ResponseSizeTooLarge";

    /// <summary>Any other exception from a handler or from initialisation.</summary>
    public const string UnhandledException = "Runtime.UnhandledException";

    /// <summary>The category an exception is reported under.</summary>
    public static string Of(Exception error) => error switch
    {
        InvalidEventException => InvalidEvent,
        FunctionConfigurationException => ConfigurationError,
        InvocationDeadlineExceededException => DeadlineExceeded,
        MalformedInvocationException => MalformedInvocation,
        ResponseTooLargeException => ResponseSizeTooLarge,
        _ => UnhandledException,
    };
}
