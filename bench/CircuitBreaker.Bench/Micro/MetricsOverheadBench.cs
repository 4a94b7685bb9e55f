using System.Globalization;
using System.Text;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Logging;

namespace CircuitBreaker.Bench.Micro;

/// <summary>
/// What the Embedded Metric Format costs: the bytes it adds to the webservice's per-request line and the recorder's
/// per-event line (counted here), and the time it adds to writing them, the only work metrics add to a request
/// (<see cref="Benchmarks.MetricsOverheadBenchmarks"/>, on BenchmarkDotNet).
/// Run with <c>dotnet run -c Release --project bench/CircuitBreaker.Bench -- metrics-overhead</c>.
/// </summary>
internal static class MetricsOverheadBench
{
    private static readonly LogScope Scope = new("8f2c1e6a-4b1d-4c55-9d2e-0a7f3c9b1e42", "orders.example.com", "closed");

    /// <summary>The webservice's line for a relayed request.</summary>
    public static void Relayed(FunctionLog log, bool withMetrics)
    {
        (string, object?)[] fields =
        [
            ("apiRequestId", "JkJ9xhqsoAMEVZQ="), ("method", "GET"), ("path", "/orders/7"), ("status", 200),
            ("durationMs", TimeSpan.FromMilliseconds(23.4567)), ("downstream", "Answered"), ("downstreamMs", TimeSpan.FromMilliseconds(21.234)),
        ];
        if (withMetrics)
        {
            var metrics = new EmbeddedMetrics("CircuitBreaker", "orders.example.com")
                .Duration(CircuitMetrics.DownstreamLatency, TimeSpan.FromMilliseconds(21.234))
                .Count(CircuitMetrics.Relayed);
            log.Info("request handled", Scope, metrics, fields);
        }
        else
        {
            log.Info("request handled", Scope, fields);
        }
    }

    /// <summary>The recorder's line for a failure event.</summary>
    public static void Recorded(FunctionLog log, bool withMetrics)
    {
        (string, object?)[] fields =
        [
            ("eventId", "11710aed-b79e-4468-a20b-bb3c0c3b4860"), ("failedRequestId", "8f2c1e6a-4b1d-4c55-9d2e-0a7f3c9b1e42"),
            ("reason", "timeout"), ("failuresInWindow", 2), ("opened", false),
        ];
        if (withMetrics)
        {
            log.Info("failure recorded", Scope, new EmbeddedMetrics("CircuitBreaker", "orders.example.com").Count(CircuitMetrics.FailuresRecorded), fields);
        }
        else
        {
            log.Info("failure recorded", Scope, fields);
        }
    }

    /// <summary>The bytes each line has without and with its metrics.</summary>
    public static IReadOnlyList<(string Line, int PlainBytes, int WithMetricsBytes)> LineSizes() =>
    [
        ("webservice relayed request", LineBytes(log => Relayed(log, false)), LineBytes(log => Relayed(log, true))),
        ("recorder failure event", LineBytes(log => Recorded(log, false)), LineBytes(log => Recorded(log, true))),
    ];

    /// <summary>Prints the line sizes; the times come from the BenchmarkDotNet run that follows.</summary>
    public static void WriteLineSizes(TextWriter output)
    {
        output.WriteLine("Embedded Metric Format overhead (one line per request / per failure event)");
        foreach (var (line, plain, withMetrics) in LineSizes())
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {line}: line {plain} B -> {withMetrics} B (+{withMetrics - plain} B)"));
        }
    }

    private static int LineBytes(Action<FunctionLog> write)
    {
        var buffer = new StringWriter();
        write(new FunctionLog(buffer, TimeProvider.System, "webservice"));
        return Encoding.UTF8.GetByteCount(buffer.ToString().TrimEnd('\n', '\r'));
    }
}
