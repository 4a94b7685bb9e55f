using System.Text;
using System.Text.Json;
using CircuitBreaker.Contract;

namespace CircuitBreaker.Local.EventBridge;

/// <summary>
/// An EventBridge event pattern of the kind this project's rules use (<see cref="EventPatterns"/>), compiled once
/// and matched against event envelopes: exact values (strings, numbers, booleans, null) listed in arrays, in
/// nested objects; an array in the event matches when any of its elements does. EventBridge's content filters
/// (<c>prefix</c>, <c>anything-but</c>, <c>numeric</c>, …) are refused when the pattern is read, so a rule that
/// needs one fails loudly instead of silently matching nothing. The local bus routes with it, and the stack's
/// tests check the deployed rules with it.
/// </summary>
internal sealed class EventPatternMatcher
{
    private readonly JsonElement _pattern;

    private EventPatternMatcher(JsonElement pattern) => _pattern = pattern;

    /// <summary>
    /// Reads and checks a pattern; throws <see cref="FormatException"/> for a pattern EventBridge would reject
    /// and for one using a content filter, naming it.
    /// </summary>
    /// <param name="pattern">The pattern's JSON.</param>
    public static EventPatternMatcher Parse(string pattern)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(pattern);
            root = document.RootElement.Clone();
        }
        catch (JsonException exception)
        {
            throw new FormatException($"Event pattern is not JSON: {exception.Message}", exception);
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("Event pattern must be a JSON object.");
        }

        Validate(root, "$");
        return new EventPatternMatcher(root);
    }

    /// <summary>True when the event (a JSON object) matches the pattern.</summary>
    /// <param name="eventJson">The event envelope.</param>
    public bool Matches(JsonElement eventJson) => MatchObject(_pattern, eventJson);

    /// <summary>True when the event (UTF-8 JSON) matches the pattern; false for anything but a JSON object.</summary>
    /// <param name="eventJson">The event envelope as UTF-8 JSON.</param>
    public bool Matches(ReadOnlySpan<byte> eventJson)
    {
        try
        {
            var reader = new Utf8JsonReader(eventJson);
            using var document = JsonDocument.ParseValue(ref reader);
            return Matches(document.RootElement);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>True when the event (JSON text) matches the pattern; false for anything but a JSON object.</summary>
    /// <param name="eventJson">The event envelope as JSON text.</param>
    public bool Matches(string eventJson) => Matches(Encoding.UTF8.GetBytes(eventJson));

    private static void Validate(JsonElement pattern, string path)
    {
        foreach (var field in pattern.EnumerateObject())
        {
            var at = $"{path}.{field.Name}";
            switch (field.Value.ValueKind)
            {
                case JsonValueKind.Object:
                    Validate(field.Value, at);
                    break;
                case JsonValueKind.Array:
                    if (field.Value.GetArrayLength() == 0)
                    {
                        throw new FormatException($"Event pattern at {at}: empty arrays match nothing and are not allowed.");
                    }

                    foreach (var matcher in field.Value.EnumerateArray())
                    {
                        if (matcher.ValueKind == JsonValueKind.Object)
                        {
                            var filter = matcher.EnumerateObject().Select(op => $"'{op.Name}'").DefaultIfEmpty("{}");
                            throw new FormatException(
                                $"Event pattern at {at}: content filter {string.Join(", ", filter)} is not supported here; "
                                + "this bus matches exact values only, as the project's rules do (e.g. {\"source\":[\"a\",\"b\"]}).");
                        }

                        if (matcher.ValueKind == JsonValueKind.Array)
                        {
                            throw new FormatException($"Event pattern at {at}: arrays cannot be nested.");
                        }
                    }

                    break;
                default:
                    throw new FormatException($"Event pattern at {at}: a leaf must be an array of values, e.g. [\"value\"].");
            }
        }
    }

    private static bool MatchObject(JsonElement pattern, JsonElement candidate)
    {
        foreach (var field in pattern.EnumerateObject())
        {
            if (candidate.ValueKind != JsonValueKind.Object || !candidate.TryGetProperty(field.Name, out var value))
            {
                return false;
            }

            var matched = field.Value.ValueKind == JsonValueKind.Object
                ? value.ValueKind == JsonValueKind.Object && MatchObject(field.Value, value)
                : MatchLeaf(field.Value, value);
            if (!matched)
            {
                return false;
            }
        }

        return true;
    }

    private static bool MatchLeaf(JsonElement allowed, JsonElement value) =>
        allowed.EnumerateArray().Any(option => value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray().Any(element => Equal(option, element))
            : Equal(option, value));

    private static bool Equal(JsonElement option, JsonElement value) => option.ValueKind switch
    {
        JsonValueKind.String => value.ValueKind == JsonValueKind.String && value.GetString() == option.GetString(),
        JsonValueKind.Number => value.ValueKind == JsonValueKind.Number && value.GetDouble() == option.GetDouble(),
        JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null => value.ValueKind == option.ValueKind,
        _ => false,
    };
}
