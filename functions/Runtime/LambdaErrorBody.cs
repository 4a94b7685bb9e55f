namespace CircuitBreaker.Functions.Runtime;

/// <summary>
/// Lambda's standard error document (<c>application/vnd.aws.lambda.error+json</c>), posted to the
/// invocation and init error endpoints and handed by Lambda to whoever invoked the function.
/// </summary>
/// <param name="ErrorMessage">The exception's message.</param>
/// <param name="ErrorType">The exception's type name.</param>
/// <param name="StackTrace">The exception's stack frames, one per entry (empty when it was never thrown).</param>
internal sealed record LambdaErrorBody(string ErrorMessage, string ErrorType, IReadOnlyList<string> StackTrace)
{
    /// <summary>The document describing an exception.</summary>
    public static LambdaErrorBody From(Exception error) =>
        new(error.Message, error.GetType().Name, Frames(error.StackTrace));

    private static string[] Frames(string? stackTrace) =>
        stackTrace is null ? [] : stackTrace.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary>The error document the Runtime API itself answers with on 4xx/5xx.</summary>
/// <param name="ErrorMessage">What went wrong.</param>
/// <param name="ErrorType">The Runtime API's name for it, e.g. <c>InvalidStateTransition</c>.</param>
internal sealed record RuntimeApiErrorResponse(string? ErrorMessage, string? ErrorType);
