using System.Diagnostics;
using System.Globalization;
using System.Text;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Logging;

namespace CircuitBreaker.Bench.Micro;

/// <summary>
/// What the Embedded Metric Format costs: the bytes it adds to the webservice's per-request line and the
/// recorder's per-event line, and the time it adds to writing them (the only work metrics add to a request).
/// Run with <c>dotnet run -c Release --project bench/CircuitBreaker.Bench -- metrics-overhead</c>.
/// </summary>
internal static class MetricsOverheadBench
{
    private const int Rounds = 5;
    private const int LinesPerRound = 200_000;

    public static int Run(TextWriter output)
    {
        var time = TimeProvider.System;
        var scope = new LogScope("8f2c1e6a-4b1d-4c55-9d2e-0a7f3c9b1e42", "orders.example.com", "closed");

        void Relayed(FunctionLog log, bool withMetrics)
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
                log.Info("request handled", scope, metrics, fields);
            }
            else
            {
                log.Info("request handled", scope, fields);
            }
        }

        void Recorded(FunctionLog log, bool withMetrics)
        {
            (string, object?)[] fields =
            [
                ("eventId", "11710aed-b79e-4468-a20b-bb3c0c3b4860"), ("failedRequestId", "8f2c1e6a-4b1d-4c55-9d2e-0a7f3c9b1e42"),
                ("reason", "timeout"), ("failuresInWindow", 2), ("opened", false),
            ];
            if (withMetrics)
            {
                log.Info("failure recorded", scope, new EmbeddedMetrics("CircuitBreaker", "orders.example.com").Count(CircuitMetrics.FailuresRecorded), fields);
            }
            else
            {
                log.Info("failure recorded", scope, fields);
            }
        }

        output.WriteLine("Embedded Metric Format overhead (one line per request / per failure event)");
        foreach (var (name, write) in new (string, Action<FunctionLog, bool>)[] { ("webservice relayed request", Relayed), ("recorder failure event", Recorded) })
        {
            var plain = LineBytes(log => write(log, false));
            var withMetrics = LineBytes(log => write(log, true));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name}: line {plain} B -> {withMetrics} B (+{withMetrics - plain} B)"));

            var log = new FunctionLog(TextWriter.Null, time, "bench");
            var plainNs = double.MaxValue;
            var metricsNs = double.MaxValue;
            for (var round = 0; round < Rounds; round++)
            {
                // Alternating and keeping each side's best round leaves out what other processes on the machine cost.
                plainNs = Math.Min(plainNs, NanosecondsPerLine(() => write(log, false)));
                metricsNs = Math.Min(metricsNs, NanosecondsPerLine(() => write(log, true)));
            }

            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {name}: {plainNs:0} ns -> {metricsNs:0} ns per line (+{metricsNs - plainNs:0} ns = {(metricsNs - plainNs) / 1000:0.00} µs per request)"));
        }

        return 0;
    }

    private static int LineBytes(Action<FunctionLog> write)
    {
        var buffer = new StringWriter();
        write(new FunctionLog(buffer, TimeProvider.System, "webservice"));
        return Encoding.UTF8.GetByteCount(buffer.ToString().TrimEnd('\n', '\r'));
    }

    private static double NanosecondsPerLine(Action write)
    {
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < LinesPerRound; i++)
        {
            write();
        }

        return Stopwatch.GetElapsedTime(started).TotalNanoseconds / LinesPerRound;
    }
}
