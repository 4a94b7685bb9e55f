using System.Text;
using System.Text.Json;

namespace CircuitBreaker.Contract;

/// <summary>
/// Lambda's limit on a function's environment: 4 KB for all variables together, a quota that cannot be raised.
/// Lambda measures the variables as one JSON object (its error quotes the "string measured"), so that is what is
/// measured here, before anything is deployed.
/// </summary>
public static class LambdaEnvironmentLimit
{
    /// <summary>The most bytes a function's environment may take.</summary>
    public const int MaxBytes = 4096;

    /// <summary>The size of <paramref name="variables"/> as Lambda measures it: the UTF-8 bytes of the JSON object.</summary>
    public static int SizeOf(IReadOnlyDictionary<string, string> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in variables)
            {
                writer.WriteString(name, value);
            }

            writer.WriteEndObject();
        }

        return (int)buffer.Length;
    }

    /// <summary>Null when the environment fits; otherwise a message with the size, the limit and what to do.</summary>
    /// <param name="variables">Every variable the function will get.</param>
    /// <param name="function">Names the function, e.g. "the webservice function".</param>
    public static string? Problem(IReadOnlyDictionary<string, string> variables, string function)
    {
        var size = SizeOf(variables);
        if (size <= MaxBytes)
        {
            return null;
        }

        var routes = variables.TryGetValue(RouteKeys.Routes.EnvironmentVariable, out var json) ? Encoding.UTF8.GetByteCount(json) : 0;
        return $"The environment of {function} would take {size} bytes, over Lambda's limit of {MaxBytes} bytes for all variables together "
            + $"(Lambda would refuse the function at deployment){(routes > 0 ? $"; {RouteKeys.Routes.EnvironmentVariable} takes {routes} of them" : string.Empty)}. "
            + "Set breaker settings once at the top level rather than in every route, use shorter serviceId values and URLs, "
            + "or split the routes over two stacks.";
    }
}
