using System.Text.RegularExpressions;

namespace CircuitBreaker.Tests.Events;

/// <summary>The three parts of a SigV4 <c>Authorization</c> header.</summary>
internal sealed partial record AuthorizationParts(string Credential, string SignedHeaders, string Signature)
{
    public static AuthorizationParts Parse(string header)
    {
        var match = Shape().Match(header);
        Assert.True(match.Success, $"Authorization header is not SigV4-shaped: {header}");
        return new(match.Groups["credential"].Value, match.Groups["signed"].Value, match.Groups["signature"].Value);
    }

    [GeneratedRegex("^AWS4-HMAC-SHA256 Credential=(?<credential>[^,]+), ?SignedHeaders=(?<signed>[a-z0-9;-]+), ?Signature=(?<signature>[0-9a-f]{64})$")]
    private static partial Regex Shape();
}
