using System.Globalization;
using System.Security;
using System.Text;
using CircuitBreaker.Bench.Load;
using CircuitBreaker.Bench.Metrics;

namespace CircuitBreaker.Bench.Report;

/// <summary>
/// The outage timeline as SVG text, one panel per variant: answers per second stacked by outcome, p99 latency
/// per second as a line, and the stored circuit state as a band under the axis; the outage is shaded.
/// </summary>
internal static class TimelineSvg
{
    private const int Width = 960;
    private const int PanelHeight = 250;
    private const int Left = 60;
    private const int Right = 60;
    private const int Top = 40;
    private const int PlotHeight = 170;
    private const int BandHeight = 12;

    private static readonly (Outcome Outcome, string Color, string Label)[] Series =
    [
        (Outcome.Success, "#2e7d32", "relayed (2xx)"),
        (Outcome.FailedFast, "#1565c0", "failed fast (503)"),
        (Outcome.DownstreamFailed, "#c62828", "downstream failed (504/502)"),
        (Outcome.Error, "#757575", "error / no answer"),
    ];

    private static readonly IReadOnlyDictionary<string, string> StateColors = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["closed"] = "#c8e6c9",
        ["open"] = "#ef9a9a",
        ["open (probe due)"] = "#ffcc80",
        ["half-open"] = "#ffb74d",
    };

    public static string Render(IReadOnlyList<OutageRunResult> runs, string title)
    {
        var seconds = (int)Math.Ceiling(runs.Max(r => r.Phases.EndsAt.TotalSeconds));
        var maxRate = Math.Max(1, runs.Max(r => PerSecond(r, seconds).Max(b => b.Sum())));
        var maxLatency = Math.Max(1, runs.Max(r => LatencyP99PerSecond(r, seconds).Where(v => !double.IsNaN(v)).DefaultIfEmpty(1).Max()));
        var height = Top + (runs.Count * PanelHeight) + 50;
        var svg = new StringBuilder();
        svg.Append(Inv($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\" viewBox=\"0 0 {Width} {height}\" font-family=\"sans-serif\" font-size=\"11\">\n"));
        svg.Append(Inv($"<rect width=\"{Width}\" height=\"{height}\" fill=\"#ffffff\"/>\n"));
        svg.Append(Inv($"<text x=\"{Left}\" y=\"22\" font-size=\"15\" font-weight=\"bold\">{Escape(title)}</text>\n"));
        for (var i = 0; i < runs.Count; i++)
        {
            Panel(svg, runs[i], Top + (i * PanelHeight), seconds, maxRate, maxLatency);
        }

        Legend(svg, Top + (runs.Count * PanelHeight) + 10);
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    /// <summary>Answers per whole second of sending time, by outcome (index = <see cref="Outcome"/>).</summary>
    internal static int[][] PerSecond(OutageRunResult run, int seconds)
    {
        var buckets = Enumerable.Range(0, seconds).Select(_ => new int[Series.Length]).ToArray();
        foreach (var request in run.Requests)
        {
            var second = (int)request.SentAt.TotalSeconds;
            if (second >= 0 && second < seconds)
            {
                buckets[second][(int)request.Outcome]++;
            }
        }

        return buckets;
    }

    private static double[] LatencyP99PerSecond(OutageRunResult run, int seconds)
    {
        var bySecond = run.Requests
            .Where(r => r.Status != 0)
            .GroupBy(r => (int)r.SentAt.TotalSeconds)
            .ToDictionary(g => g.Key, g => Percentiles.Of(g.Select(r => r.Latency.TotalMilliseconds).ToList(), 99));
        return Enumerable.Range(0, seconds).Select(s => bySecond.TryGetValue(s, out var v) ? v : double.NaN).ToArray();
    }

    private static void Panel(StringBuilder svg, OutageRunResult run, int top, int seconds, int maxRate, double maxLatency)
    {
        var plotTop = top + 20;
        var plotWidth = Width - Left - Right;
        double X(double second) => Left + (second / seconds * plotWidth);
        double Y(double rate) => plotTop + PlotHeight - (rate / maxRate * PlotHeight);
        double YLatency(double ms) => plotTop + PlotHeight - (ms / maxLatency * PlotHeight);

        svg.Append(Inv($"<text x=\"{Left}\" y=\"{top + 12}\" font-size=\"13\" font-weight=\"bold\">{Escape(run.Variant)}</text>\n"));
        var outageX = X(run.Phases.OutageStartsAt.TotalSeconds);
        var recoveryX = X(run.Phases.RecoveryStartsAt.TotalSeconds);
        svg.Append(Inv($"<rect x=\"{outageX:0.#}\" y=\"{plotTop}\" width=\"{recoveryX - outageX:0.#}\" height=\"{PlotHeight}\" fill=\"#fff3e0\"/>\n"));
        svg.Append(Inv($"<text x=\"{outageX + 4:0.#}\" y=\"{plotTop + 12}\" fill=\"#e65100\">{Escape(run.FaultDescription)}</text>\n"));
        svg.Append(Inv($"<text x=\"{recoveryX + 4:0.#}\" y=\"{plotTop + 12}\" fill=\"#2e7d32\">recovered</text>\n"));

        var buckets = PerSecond(run, seconds);
        var barWidth = Math.Max(1, (plotWidth / (double)seconds) - 0.5);
        for (var second = 0; second < seconds; second++)
        {
            var stacked = 0;
            for (var s = 0; s < Series.Length; s++)
            {
                var count = buckets[second][s];
                if (count == 0)
                {
                    continue;
                }

                var y = Y(stacked + count);
                svg.Append(Inv($"<rect x=\"{X(second):0.##}\" y=\"{y:0.##}\" width=\"{barWidth:0.##}\" height=\"{Y(stacked) - y:0.##}\" fill=\"{Series[s].Color}\"/>\n"));
                stacked += count;
            }
        }

        var latency = LatencyP99PerSecond(run, seconds);
        var points = string.Join(' ', Enumerable.Range(0, seconds).Where(s => !double.IsNaN(latency[s]))
            .Select(s => Inv($"{X(s + 0.5):0.#},{YLatency(latency[s]):0.#}")));
        if (points.Length > 0)
        {
            svg.Append(Inv($"<polyline points=\"{points}\" fill=\"none\" stroke=\"#000000\" stroke-width=\"1.2\"/>\n"));
        }

        // The stored state, as a band below the axis.
        var bandY = plotTop + PlotHeight + 4;
        // One segment per stretch of the same state.
        var states = run.States;
        for (var i = 0; i < states.Count;)
        {
            var next = i + 1;
            while (next < states.Count && states[next].State == states[i].State)
            {
                next++;
            }

            var from = states[i].At.TotalSeconds;
            var to = next < states.Count ? states[next].At.TotalSeconds : run.Phases.EndsAt.TotalSeconds;
            var color = StateColors.GetValueOrDefault(states[i].State, "#e0e0e0");
            svg.Append(Inv($"<rect x=\"{X(from):0.##}\" y=\"{bandY}\" width=\"{Math.Max(0.5, X(to) - X(from)):0.##}\" height=\"{BandHeight}\" fill=\"{color}\"/>\n"));
            i = next;
        }

        svg.Append(Inv($"<text x=\"{Left - 4}\" y=\"{bandY + 10}\" text-anchor=\"end\">circuit</text>\n"));

        // Axes: requests/s on the left, p99 latency on the right, seconds below.
        svg.Append(Inv($"<line x1=\"{Left}\" y1=\"{plotTop + PlotHeight}\" x2=\"{Left + plotWidth}\" y2=\"{plotTop + PlotHeight}\" stroke=\"#000\"/>\n"));
        svg.Append(Inv($"<line x1=\"{Left}\" y1=\"{plotTop}\" x2=\"{Left}\" y2=\"{plotTop + PlotHeight}\" stroke=\"#000\"/>\n"));
        svg.Append(Inv($"<line x1=\"{Left + plotWidth}\" y1=\"{plotTop}\" x2=\"{Left + plotWidth}\" y2=\"{plotTop + PlotHeight}\" stroke=\"#000\"/>\n"));
        svg.Append(Inv($"<text x=\"{Left - 4}\" y=\"{plotTop + 4}\" text-anchor=\"end\">{maxRate}</text>\n"));
        svg.Append(Inv($"<text x=\"{Left - 4}\" y=\"{plotTop + PlotHeight}\" text-anchor=\"end\">0</text>\n"));
        svg.Append(Inv($"<text x=\"14\" y=\"{plotTop + (PlotHeight / 2)}\" transform=\"rotate(-90 14 {plotTop + (PlotHeight / 2)})\" text-anchor=\"middle\">answers/s</text>\n"));
        svg.Append(Inv($"<text x=\"{Left + plotWidth + 4}\" y=\"{plotTop + 4}\">{maxLatency:0} ms</text>\n"));
        svg.Append(Inv($"<text x=\"{Left + plotWidth + 4}\" y=\"{plotTop + PlotHeight}\">0 ms</text>\n"));
        svg.Append(Inv($"<text x=\"{Width - 12}\" y=\"{plotTop + (PlotHeight / 2)}\" transform=\"rotate(90 {Width - 12} {plotTop + (PlotHeight / 2)})\" text-anchor=\"middle\">p99 latency</text>\n"));
        var tick = seconds > 100 ? 20 : 10;
        for (var s = 0; s <= seconds; s += tick)
        {
            svg.Append(Inv($"<text x=\"{X(s):0.#}\" y=\"{bandY + BandHeight + 12}\" text-anchor=\"middle\">{s} s</text>\n"));
        }
    }

    private static void Legend(StringBuilder svg, int y)
    {
        var x = Left;
        foreach (var (_, color, label) in Series)
        {
            svg.Append(Inv($"<rect x=\"{x}\" y=\"{y}\" width=\"10\" height=\"10\" fill=\"{color}\"/><text x=\"{x + 14}\" y=\"{y + 9}\">{Escape(label)}</text>\n"));
            x += 30 + (label.Length * 6);
        }

        svg.Append(Inv($"<line x1=\"{x}\" y1=\"{y + 5}\" x2=\"{x + 16}\" y2=\"{y + 5}\" stroke=\"#000\"/><text x=\"{x + 20}\" y=\"{y + 9}\">p99 latency per second</text>\n"));
        x = Left;
        y += 18;
        foreach (var (state, color) in StateColors)
        {
            svg.Append(Inv($"<rect x=\"{x}\" y=\"{y}\" width=\"10\" height=\"10\" fill=\"{color}\"/><text x=\"{x + 14}\" y=\"{y + 9}\">circuit {Escape(state)}</text>\n"));
            x += 70 + (state.Length * 6);
        }
    }

    private static string Escape(string text) => SecurityElement.Escape(text) ?? string.Empty;

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
