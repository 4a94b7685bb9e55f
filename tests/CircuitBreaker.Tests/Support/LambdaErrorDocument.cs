using System.Text.Json;

namespace CircuitBreaker.Tests.Support;

/// <summary>Lambda's standard error document, read back independently of the runtime's own types.</summary>
public sealed record LambdaErrorDocument(string ErrorMessage, string ErrorType, IReadOnlyList<string> StackTrace)
{
    /// <summary>Reads the document, failing clearly when a field is missing or mistyped.</summary>
    public static LambdaErrorDocument Parse(byte[] body)
    {
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        return new LambdaErrorDocument(
            root.GetProperty("errorMessage").GetString()!,
            root.GetProperty("errorType").GetString()!,
            [.. root.GetProperty("stackTrace").EnumerateArray().Select(frame => frame.GetString()!)]);
    }
}
