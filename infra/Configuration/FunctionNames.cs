using System.Text;
using CircuitBreaker.Contract;

namespace CircuitBreaker.Infra.Configuration;

/// <summary>The functions' names: fixed per stack, so their log groups can be declared first.</summary>
public static class FunctionNames
{
    private const int MaxFunctionNameLength = 64;

    private static readonly int LongestSuffix =
        Math.Max(HandlerNames.Webservice.Length, HandlerNames.Recorder.Length) + 1;

    /// <summary>
    /// A prefix unique to the stack within an account and region, e.g. <c>circuit-breaker-dev</c>:
    /// characters Lambda rejects become <c>-</c>, and it is cut so that the longest name fits in 64 characters.
    /// </summary>
    public static string Prefix(string project, string stack)
    {
        var text = new StringBuilder();
        foreach (var c in $"{project}-{stack}")
        {
            text.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-');
        }

        var prefix = text.ToString();
        return prefix.Length <= MaxFunctionNameLength - LongestSuffix ? prefix : prefix[..(MaxFunctionNameLength - LongestSuffix)];
    }

    /// <summary>The name of the function serving <paramref name="handler"/>, one of <see cref="HandlerNames"/>.</summary>
    public static string For(string prefix, string handler) => $"{prefix}-{handler}";

    /// <summary>The log group Lambda writes a function's logs to.</summary>
    public static string LogGroupOf(string functionName) => $"/aws/lambda/{functionName}";
}
