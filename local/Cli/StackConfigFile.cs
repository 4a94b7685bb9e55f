using CircuitBreaker.Contract;

namespace CircuitBreaker.Local.Cli;

/// <summary>
/// Reads a stack's <c>Pulumi.&lt;stack&gt;.yaml</c> the way the local host needs it: the plain
/// <c>key: value</c> lines of its top-level <c>config:</c> map whose key is in the project's namespace
/// (<c>&lt;project&gt;:&lt;key&gt;</c>, the project being <c>name:</c> in the <c>Pulumi.yaml</c> beside it).
/// Only that small YAML subset is understood: scalars, optionally quoted, with trailing comments, and the one
/// structured value, <c>&lt;project&gt;:routes:</c>, a list of flat maps as <c>pulumi config set --path</c> writes it.
/// </summary>
internal static class StackConfigFile
{
    /// <summary>The expected form, for messages.</summary>
    public const string ExpectedForm = "a stack config file Pulumi.<stack>.yaml, with the project's Pulumi.yaml in the same folder";

    private static readonly string[] ProjectFileNames = ["Pulumi.yaml", "Pulumi.yml"];

    /// <summary>The namespaced values by config key (namespace stripped), or the problem.</summary>
    public static StackConfigValues Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            return StackConfigValues.Failed($"--config: '{path}' does not exist: expected {ExpectedForm}.");
        }

        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var projectFile = ProjectFileNames.Select(name => Path.Combine(folder, name)).FirstOrDefault(File.Exists);
        if (projectFile is null)
        {
            return StackConfigValues.Failed($"--config: no Pulumi.yaml next to '{path}' to name the project (config keys are '<project>:<key>'): expected {ExpectedForm}.");
        }

        var project = TopLevelScalar(File.ReadAllLines(projectFile), "name");
        if (string.IsNullOrEmpty(project))
        {
            return StackConfigValues.Failed($"--config: '{projectFile}' has no 'name:' line: expected {ExpectedForm}.");
        }

        return ReadConfig(File.ReadAllLines(path), project, path);
    }

    /// <summary>The config map of a stack file's lines (exposed for tests of the YAML subset).</summary>
    public static StackConfigValues ReadConfig(IReadOnlyList<string> lines, string project, string fileName)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        List<Dictionary<string, string>>? routes = null;
        var routesKey = project + ":" + RouteKeys.Routes.ConfigKey;
        var nested = new HashSet<string>(StringComparer.Ordinal);
        var inConfig = false;
        int? entryIndent = null;
        string? lastKey = null;
        var prefix = project + ":";
        for (var number = 0; number < lines.Count; number++)
        {
            var line = lines[number];
            if (IsBlankOrComment(line))
            {
                continue;
            }

            var indent = line.Length - line.TrimStart(' ').Length;
            if (indent == 0)
            {
                inConfig = line.TrimEnd() == "config:" || line.StartsWith("config:", StringComparison.Ordinal) && IsBlankOrComment(line["config:".Length..]);
                entryIndent = null;
                lastKey = null;
                continue;
            }

            if (!inConfig)
            {
                continue;
            }

            entryIndent ??= indent;
            if (indent > entryIndent)
            {
                // Part of a nested value (secure: or an object): not a plain setting.
                if (lastKey is not null)
                {
                    nested.Add(lastKey);
                }

                continue;
            }

            if (!TrySplit(line.Trim(), out var key, out var value))
            {
                return StackConfigValues.Failed($"--config: {fileName} line {number + 1} is not 'key: value': expected {ExpectedForm}.");
            }

            lastKey = key;
            if (key == routesKey && value.Length == 0)
            {
                var (list, next, error) = ReadRouteList(lines, number + 1, entryIndent.Value, fileName);
                if (error is not null)
                {
                    return StackConfigValues.Failed(error);
                }

                routes = list;
                number = next - 1;
                lastKey = null;
                continue;
            }

            if (key.StartsWith(prefix, StringComparison.Ordinal))
            {
                values[key[prefix.Length..]] = value;
            }
        }

        foreach (var key in nested.Where(key => key.StartsWith(prefix, StringComparison.Ordinal)))
        {
            values.Remove(key[prefix.Length..]);
            return StackConfigValues.Failed($"--config: {fileName}: '{key}' is not a plain value (secrets and objects are not read locally): expected a plain value.");
        }

        return new StackConfigValues(values, null) { Routes = routes };
    }

    // The list's items start with "- " at the key's indent or deeper; each item's further keys are indented past its dash.
    private static (List<Dictionary<string, string>> Routes, int Next, string? Error) ReadRouteList(IReadOnlyList<string> lines, int start, int keyIndent, string fileName)
    {
        var routes = new List<Dictionary<string, string>>();
        Dictionary<string, string>? current = null;
        var number = start;
        for (; number < lines.Count; number++)
        {
            var line = lines[number];
            if (IsBlankOrComment(line))
            {
                continue;
            }

            var indent = line.Length - line.TrimStart(' ').Length;
            var text = line.Trim();
            var isItem = text.StartsWith("- ", StringComparison.Ordinal) || text == "-";
            if (indent < keyIndent || (indent == keyIndent && !isItem))
            {
                break;
            }

            if (isItem)
            {
                current = new Dictionary<string, string>(StringComparer.Ordinal);
                routes.Add(current);
                text = text[1..].Trim();
                if (text.Length == 0)
                {
                    continue;
                }
            }

            if (current is null || !TrySplit(text, out var key, out var value) || value.Length == 0 && text.EndsWith(':'))
            {
                return (routes, number, $"--config: {fileName} line {number + 1} is not 'key: value' in a route of '{RouteKeys.Routes.ConfigKey}': "
                    + "expected a list of maps such as '- prefix: /orders' followed by 'downstreamUrl: https://…'.");
            }

            current[key] = value;
        }

        return (routes, number, null);
    }

    private static string? TopLevelScalar(IEnumerable<string> lines, string name)
    {
        foreach (var line in lines)
        {
            if (line.Length > 0 && line[0] != ' ' && TrySplit(line.Trim(), out var key, out var value) && key == name)
            {
                return value;
            }
        }

        return null;
    }

    private static bool IsBlankOrComment(string line)
    {
        var trimmed = line.Trim();
        return trimmed.Length == 0 || trimmed[0] == '#';
    }

    private static bool TrySplit(string text, out string key, out string value)
    {
        key = string.Empty;
        value = string.Empty;
        string rest;
        if (text.Length > 0 && text[0] is '"' or '\'')
        {
            var end = text.IndexOf(text[0], 1);
            if (end < 0 || end + 1 >= text.Length || text[end + 1] != ':')
            {
                return false;
            }

            key = text[1..end];
            rest = text[(end + 2)..];
        }
        else
        {
            var colon = text.IndexOf(": ", StringComparison.Ordinal);
            if (colon < 0)
            {
                if (!text.EndsWith(':'))
                {
                    return false;
                }

                colon = text.Length - 1;
            }

            key = text[..colon].Trim();
            rest = text[(colon + 1)..];
        }

        value = Scalar(rest.Trim());
        return key.Length > 0;
    }

    private static string Scalar(string text)
    {
        if (text.Length > 0 && text[0] == '"')
        {
            var end = text.IndexOf('"', 1);
            while (end > 0 && text[end - 1] == '\\')
            {
                end = text.IndexOf('"', end + 1);
            }

            return end > 0 ? text[1..end].Replace("\\\"", "\"", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal) : text;
        }

        if (text.Length > 0 && text[0] == '\'')
        {
            var end = 1;
            while (end < text.Length)
            {
                if (text[end] == '\'' && (end + 1 >= text.Length || text[end + 1] != '\''))
                {
                    break;
                }

                end += text[end] == '\'' ? 2 : 1;
            }

            return text[1..Math.Min(end, text.Length)].Replace("''", "'", StringComparison.Ordinal);
        }

        var comment = text.IndexOf(" #", StringComparison.Ordinal);
        return (comment >= 0 ? text[..comment] : text).Trim();
    }
}

/// <summary>Settings read from a stack config file by config key, or why they could not be read.</summary>
/// <param name="Values">Config key (without the project namespace) → raw value.</param>
/// <param name="Error">The problem, naming --config and the expected form; null when read.</param>
internal sealed record StackConfigValues(IReadOnlyDictionary<string, string> Values, string? Error)
{
    /// <summary>The file's <c>routes</c> list (each route's keys to raw values), or null when it has none.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>>? Routes { get; init; }

    /// <summary>A failed read.</summary>
    public static StackConfigValues Failed(string error) => new(new Dictionary<string, string>(), error);
}
