using System.Globalization;
using System.Text;

namespace CircuitBreaker.Bench.Report;

/// <summary>Number formatting shared by the report's sections (invariant culture, "—" for a missing figure).</summary>
internal static class Markdown
{
    public static string Ratio(double ours, double baseline) =>
        double.IsNaN(ours) || double.IsNaN(baseline) || baseline == 0 ? "—" : (ours / baseline).ToString(ours / baseline < 0.1 ? "0.000" : "0.00", CultureInfo.InvariantCulture);

    public static string Num(double value, string format) => double.IsNaN(value) ? "—" : value.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>A figure with its ratio to the original's, as "46 (0.089×)"; the original's own cell has no ratio.</summary>
    public static string WithRatio(double value, double baseline, string format, bool isBaseline) =>
        isBaseline || Ratio(value, baseline) == "—" ? Num(value, format) : $"{Num(value, format)} ({Ratio(value, baseline)}×)";

    public static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    public static void Header(StringBuilder md, string first, IEnumerable<string> columns)
    {
        var names = columns.ToList();
        md.AppendLine($"| {first} | {string.Join(" | ", names)} |");
        md.AppendLine($"|---|{string.Concat(names.Select(_ => "---:|"))}");
    }
}
