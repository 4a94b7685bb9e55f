using System.Text.Json;

namespace CircuitBreaker.Local.EventBridge;

/// <summary>
/// An EventBridge event pattern, compiled once and matched against event envelopes. Supports the
/// parts of the pattern language a rule like ours uses and their near relatives: exact values (strings,
/// numbers, booleans, null) listed in arrays, nested objects, <c>prefix</c>, <c>suffix</c>,
/// <c>equals-ignore-case</c>, <c>anything-but</c> (value, list, or prefix), <c>exists</c>, and
/// <c>numeric</c> ranges. An array in the event matches when any of its elements does.
/// </summary>
internal sealed class EventPatternMatcher
{
    private readonly JsonElement _pattern;

    private EventPatternMatcher(JsonElement pattern) => _pattern = pattern;

    /// <summary>Reads and checks a pattern; throws <see cref="FormatException"/> for a pattern EventBridge would reject.</summary>
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
    public bool Matches(JsonElement eventJson) => MatchObject(_pattern, eventJson);

    /// <summary>True when the event (UTF-8 JSON) matches the pattern; false for anything but a JSON object.</summary>
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
                            ValidateOperator(matcher, at);
                        }
                        else if (matcher.ValueKind == JsonValueKind.Array)
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

    private static void ValidateOperator(JsonElement matcher, string at)
    {
        var count = 0;
        foreach (var op in matcher.EnumerateObject())
        {
            count++;
            var valid = op.Name switch
            {
                "prefix" or "suffix" or "equals-ignore-case" => op.Value.ValueKind == JsonValueKind.String,
                "exists" => op.Value.ValueKind is JsonValueKind.True or JsonValueKind.False,
                "anything-but" => op.Value.ValueKind is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.Array
                    || (op.Value.ValueKind == JsonValueKind.Object && op.Value.TryGetProperty("prefix", out var p) && p.ValueKind == JsonValueKind.String),
                "numeric" => IsNumericRange(op.Value),
                _ => throw new FormatException($"Event pattern at {at}: unsupported operator '{op.Name}'."),
            };
            if (!valid)
            {
                throw new FormatException($"Event pattern at {at}: invalid value for '{op.Name}'.");
            }
        }

        if (count != 1)
        {
            throw new FormatException($"Event pattern at {at}: a matcher object holds exactly one operator.");
        }
    }

    private static bool IsNumericRange(JsonElement range)
    {
        if (range.ValueKind != JsonValueKind.Array || range.GetArrayLength() is not (2 or 4))
        {
            return false;
        }

        var items = range.EnumerateArray().ToArray();
        for (var i = 0; i < items.Length; i += 2)
        {
            if (items[i].ValueKind != JsonValueKind.String || items[i].GetString() is not ("<" or "<=" or "=" or ">" or ">=")
                || items[i + 1].ValueKind != JsonValueKind.Number)
            {
                return false;
            }
        }

        return true;
    }

    private static bool MatchObject(JsonElement pattern, JsonElement candidate)
    {
        foreach (var field in pattern.EnumerateObject())
        {
            var present = candidate.ValueKind == JsonValueKind.Object && candidate.TryGetProperty(field.Name, out _);
            var value = present ? candidate.GetProperty(field.Name) : default;
            if (field.Value.ValueKind == JsonValueKind.Object)
            {
                if (!present || value.ValueKind != JsonValueKind.Object || !MatchObject(field.Value, value))
                {
                    return false;
                }
            }
            else if (!MatchLeaf(field.Value, present, value))
            {
                return false;
            }
        }

        return true;
    }

    private static bool MatchLeaf(JsonElement matchers, bool present, JsonElement value)
    {
        foreach (var matcher in matchers.EnumerateArray())
        {
            if (matcher.ValueKind == JsonValueKind.Object && matcher.TryGetProperty("exists", out var exists))
            {
                // exists:true is about a leaf value being there; an object in the event is not a leaf.
                var hasLeaf = present && value.ValueKind != JsonValueKind.Object;
                if (exists.ValueKind == JsonValueKind.True == hasLeaf)
                {
                    return true;
                }

                continue;
            }

            if (!present)
            {
                continue;
            }

            if (value.ValueKind == JsonValueKind.Array
                ? value.EnumerateArray().Any(element => MatchValue(matcher, element))
                : MatchValue(matcher, value))
            {
                return true;
            }
        }

        return false;
    }

    private static bool MatchValue(JsonElement matcher, JsonElement value)
    {
        switch (matcher.ValueKind)
        {
            case JsonValueKind.String:
                return value.ValueKind == JsonValueKind.String && value.GetString() == matcher.GetString();
            case JsonValueKind.Number:
                return value.ValueKind == JsonValueKind.Number && value.GetDouble() == matcher.GetDouble();
            case JsonValueKind.True:
            case JsonValueKind.False:
            case JsonValueKind.Null:
                return value.ValueKind == matcher.ValueKind;
            case JsonValueKind.Object:
                return MatchOperator(matcher.EnumerateObject().First(), value);
            default:
                return false;
        }
    }

    private static bool MatchOperator(JsonProperty op, JsonElement value)
    {
        var text = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        switch (op.Name)
        {
            case "prefix":
                return text is not null && text.StartsWith(op.Value.GetString()!, StringComparison.Ordinal);
            case "suffix":
                return text is not null && text.EndsWith(op.Value.GetString()!, StringComparison.Ordinal);
            case "equals-ignore-case":
                return text is not null && string.Equals(text, op.Value.GetString(), StringComparison.OrdinalIgnoreCase);
            case "numeric":
                return value.ValueKind == JsonValueKind.Number && InRange(op.Value, value.GetDouble());
            case "anything-but":
                return AnythingBut(op.Value, value);
            default:
                return false;
        }
    }

    private static bool AnythingBut(JsonElement excluded, JsonElement value)
    {
        switch (excluded.ValueKind)
        {
            case JsonValueKind.Object:
                var prefix = excluded.GetProperty("prefix").GetString()!;
                return value.ValueKind == JsonValueKind.String && !value.GetString()!.StartsWith(prefix, StringComparison.Ordinal);
            case JsonValueKind.Array:
                return excluded.EnumerateArray().All(item => !MatchValue(item, value));
            default:
                return !MatchValue(excluded, value);
        }
    }

    private static bool InRange(JsonElement range, double number)
    {
        var items = range.EnumerateArray().ToArray();
        for (var i = 0; i < items.Length; i += 2)
        {
            var bound = items[i + 1].GetDouble();
            var ok = items[i].GetString() switch
            {
                "<" => number < bound,
                "<=" => number <= bound,
                "=" => number == bound,
                ">" => number > bound,
                ">=" => number >= bound,
                _ => false,
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }
}
