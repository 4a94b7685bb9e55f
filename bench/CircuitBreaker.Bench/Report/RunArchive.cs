using System.Text.Json;
using System.Text.Json.Serialization;

namespace CircuitBreaker.Bench.Report;

/// <summary>
/// Everything a bench command measured, saved as JSON beside nothing it would overwrite, so that the report can be
/// written again from the same measurements (<c>--render-from</c>) after a change to the report's wording alone.
/// </summary>
internal static class RunArchive
{
    private static readonly JsonSerializerOptions Options = new()
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        IncludeFields = false,
    };

    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "The bench runs with the JIT, never trimmed.")]
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("AOT", "IL3050", Justification = "The bench runs with the JIT, never AOT-compiled.")]
    public static string Serialize(BenchReport report) => JsonSerializer.Serialize(report, Options);

    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "The bench runs with the JIT, never trimmed.")]
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("AOT", "IL3050", Justification = "The bench runs with the JIT, never AOT-compiled.")]
    public static BenchReport Deserialize(string json) =>
        JsonSerializer.Deserialize<BenchReport>(json, Options) ?? throw new InvalidDataException("The archive holds no report.");
}
