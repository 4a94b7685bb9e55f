using System.Text.Json;

namespace CircuitBreaker.Infra.Tests.Support;

/// <summary>
/// The part of EventBridge's pattern matching the stack's rule uses: every field the pattern names must
/// be present in the event; an array of values matches when the event's value (or one of its values)
/// equals one of them; a nested object matches the nested event object. Content filters (prefix,
/// numeric, anything-but, exists…) are refused, so a pattern that outgrows this matcher fails the test
/// rather than passing it.
/// </summary>
internal static class EventPatternMatcher
{
    public static bool Matches(string pattern, string eventJson)
    {
        using var patternDocument = JsonDocument.Parse(pattern);
        using var eventDocument = JsonDocument.Parse(eventJson);
        return MatchesObject(patternDocument.RootElement, eventDocument.RootElement);
    }

    private static bool MatchesObject(JsonElement pattern, JsonElement subject)
    {
        if (pattern.ValueKind != JsonValueKind.Object)
        {
            throw new NotSupportedException($"A pattern level must be an object, not {pattern.ValueKind}.");
        }

        foreach (var field in pattern.EnumerateObject())
        {
            if (subject.ValueKind != JsonValueKind.Object || !subject.TryGetProperty(field.Name, out var value))
            {
                return false;
            }

            var matched = field.Value.ValueKind switch
            {
                JsonValueKind.Object => MatchesObject(field.Value, value),
                JsonValueKind.Array => MatchesAnyOf(field.Value, value),
                _ => throw new NotSupportedException($"Pattern field '{field.Name}' must be an object or an array."),
            };
            if (!matched)
            {
                return false;
            }
        }

        return true;
    }

    private static bool MatchesAnyOf(JsonElement allowed, JsonElement value)
    {
        var candidates = value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().ToArray() : [value];
        foreach (var option in allowed.EnumerateArray())
        {
            if (option.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
            {
                throw new NotSupportedException($"Content filter {option.GetRawText()} is not supported by this matcher.");
            }

            if (candidates.Any(candidate => candidate.ValueKind == option.ValueKind && candidate.GetRawText() == option.GetRawText()))
            {
                return true;
            }
        }

        return false;
    }
}
