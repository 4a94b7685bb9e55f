using System.Text.Json;

namespace CircuitBreaker.Infra.Tests.Support;

/// <summary>One statement of an IAM policy document, parsed so a test can compare it exactly.</summary>
internal sealed record PolicyStatement(
    string Effect,
    IReadOnlyList<string> Actions,
    IReadOnlyList<string> Resources,
    string? ServicePrincipal,
    string? SourceArnCondition)
{
    private const string EffectField = "Effect";

    public static IReadOnlyList<PolicyStatement> Parse(string document)
    {
        using var json = JsonDocument.Parse(document);
        Assert.Equal("2012-10-17", json.RootElement.GetProperty("Version").GetString());
        return json.RootElement.GetProperty("Statement").EnumerateArray().Select(ParseStatement).ToArray();
    }

    private static PolicyStatement ParseStatement(JsonElement statement)
    {
        Assert.False(statement.TryGetProperty("NotAction", out _), "NotAction grants everything else");
        Assert.False(statement.TryGetProperty("NotResource", out _), "NotResource grants everything else");

        string? principal = null;
        if (statement.TryGetProperty("Principal", out var principalElement))
        {
            principal = principalElement.GetProperty("Service").GetString();
        }

        string? sourceArn = null;
        if (statement.TryGetProperty("Condition", out var condition))
        {
            sourceArn = condition.GetProperty("ArnEquals").GetProperty("aws:SourceArn").GetString();
        }

        return new PolicyStatement(
            statement.GetProperty(EffectField).GetString()!,
            StringOrList(statement, "Action"),
            StringOrList(statement, "Resource"),
            principal,
            sourceArn);
    }

    private static string[] StringOrList(JsonElement statement, string name)
    {
        if (!statement.TryGetProperty(name, out var element))
        {
            return [];
        }

        return element.ValueKind == JsonValueKind.Array
            ? element.EnumerateArray().Select(item => item.GetString()!).ToArray()
            : [element.GetString()!];
    }
}
