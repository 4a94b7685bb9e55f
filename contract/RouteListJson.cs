using System.Text;
using System.Text.Json;

namespace CircuitBreaker.Contract;

/// <summary>
/// Routes as JSON: a list of flat objects, as Pulumi hands a structured config value to the program and as the
/// functions' <c>ROUTES</c> variable holds it. Written and read with the JSON reader and writer directly, so the
/// functions stay free of reflection (Native AOT).
/// </summary>
public static class RouteListJson
{
    /// <summary>
    /// Reads a JSON list of routes into raw values (strings, numbers and booleans as their text; null as absent).
    /// </summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="name">How the value is named in messages, e.g. "config 'routes'" or "ROUTES".</param>
    /// <returns>The routes, or null with the problems found.</returns>
    public static (IReadOnlyList<IReadOnlyDictionary<string, string>>? Routes, IReadOnlyList<string> Errors) Parse(string json, string name)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException error)
        {
            return (null, [$"{name} is not valid JSON ({error.Message}): expected {RouteKeys.Routes.ExpectedForm}."]);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                return (null, [$"{name} is a JSON {document.RootElement.ValueKind.ToString().ToLowerInvariant()}: expected {RouteKeys.Routes.ExpectedForm}."]);
            }

            var routes = new List<IReadOnlyDictionary<string, string>>();
            var errors = new List<string>();
            var index = 0;
            foreach (var element in document.RootElement.EnumerateArray())
            {
                if (element.ValueKind != JsonValueKind.Object)
                {
                    errors.Add($"{name}[{index}] is not a map of keys to values: expected keys such as {RouteKeys.Prefix} and {CircuitSettingKeys.DownstreamUrl.ConfigKey}.");
                    index++;
                    continue;
                }

                var route = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var property in element.EnumerateObject())
                {
                    switch (property.Value.ValueKind)
                    {
                        case JsonValueKind.String:
                            route[property.Name] = property.Value.GetString()!;
                            break;
                        case JsonValueKind.Number:
                            route[property.Name] = property.Value.GetRawText();
                            break;
                        case JsonValueKind.True or JsonValueKind.False:
                            route[property.Name] = property.Value.GetBoolean() ? "true" : "false";
                            break;
                        case JsonValueKind.Null:
                            break;
                        default:
                            errors.Add($"{name}[{index}].{property.Name} is a JSON {property.Value.ValueKind.ToString().ToLowerInvariant()}: expected a single value.");
                            break;
                    }
                }

                routes.Add(route);
                index++;
            }

            return errors.Count > 0 ? (null, errors) : (routes, []);
        }
    }

    /// <summary>The routes as compact JSON holding each route's own keys only, in <see cref="RouteKeys.All"/> order.</summary>
    public static string Write(IEnumerable<RouteSettings> routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false }))
        {
            writer.WriteStartArray();
            foreach (var route in routes)
            {
                writer.WriteStartObject();
                foreach (var key in RouteKeys.All)
                {
                    if (route.Overrides.TryGetValue(key, out var value))
                    {
                        writer.WriteString(key, value);
                    }
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
