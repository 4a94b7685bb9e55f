namespace CircuitBreaker.Infra.Configuration;

/// <summary>Reads a config value that names one of a few choices.</summary>
internal static class ConfigChoices
{
    /// <summary>The choice whose name is <paramref name="value"/> (case-insensitive); false when none is.</summary>
    public static bool TryParse<T>(string? value, out T result, params (string Name, T Value)[] choices)
        where T : struct
    {
        foreach (var (name, choice) in choices)
        {
            if (string.Equals(value, name, StringComparison.OrdinalIgnoreCase))
            {
                result = choice;
                return true;
            }
        }

        result = default;
        return false;
    }
}
