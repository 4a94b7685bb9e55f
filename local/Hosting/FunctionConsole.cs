using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using CircuitBreaker.Core.Breaker;

namespace CircuitBreaker.Local.Hosting;

/// <summary>
/// Reads the functions' JSON log lines, as CloudWatch would receive them, and shows a person what matters: one line
/// per circuit transition and every warning or error. It also remembers the circuit state each request saw, so the
/// host's per-request line can say it.
/// </summary>
internal sealed class FunctionConsole
{
    // Requests whose summary never comes (the client left) must not accumulate without bound.
    private const int MaxRemembered = 10_000;

    private readonly TextWriter _output;
    private readonly ConcurrentDictionary<string, string> _stateByApiRequest = new(StringComparer.Ordinal);

    public FunctionConsole(TextWriter output)
    {
        _output = output;
        LogWriter = new LineWriter(OnLine);
    }

    /// <summary>The writer every in-process function instance logs to; safe for concurrent use.</summary>
    public TextWriter LogWriter { get; }

    /// <summary>The circuit state the webservice reported for an API request, once; null when it did not report one.</summary>
    public string? TakeCircuitState(string apiRequestId) =>
        _stateByApiRequest.TryRemove(apiRequestId, out var state) ? state : null;

    private void OnLine(string line)
    {
        JsonElement entry;
        try
        {
            using var document = JsonDocument.Parse(line);
            entry = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            _output.WriteLine(line);
            return;
        }

        var message = Text(entry, "message");
        var level = Text(entry, "level");
        if (message == TransitionLog.Message)
        {
            _output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"[circuit] {Text(entry, "serviceId")}: {Text(entry, "from")} -> {Text(entry, "to")} ({Text(entry, "reason")})"));
        }
        else if (message == "request handled" && Text(entry, "apiRequestId") is { } apiRequestId && Text(entry, "circuitState") is { } state)
        {
            if (_stateByApiRequest.Count >= MaxRemembered)
            {
                _stateByApiRequest.Clear();
            }

            _stateByApiRequest[apiRequestId] = state;
        }
        else if (message == "deferred request replayed")
        {
            _output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"[replay] {Text(entry, "serviceId")}: {Text(entry, "method")} {Text(entry, "deferredId")} -> {Number(entry, "status")}"));
        }
        else if (message == "replay finished")
        {
            _output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"[replay] {Text(entry, "serviceId")}: {Number(entry, "replayed")} replayed, {Number(entry, "failed")} failed, {Number(entry, "deadLettered")} dead-lettered ({Text(entry, "stopped")})"));
        }
        else if (level is "WARN" or "ERROR")
        {
            var error = Text(entry, "error") ?? Text(entry, "errorMessage") ?? Text(entry, "problems");
            _output.WriteLine($"[{Text(entry, "handler")}] {level} {message}{(error is null ? string.Empty : ": " + error)}");
        }
    }

    private static long? Number(JsonElement entry, string name) =>
        entry.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number : null;

    private static string? Text(JsonElement entry, string name) =>
        entry.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>A TextWriter that hands each complete line to a callback.</summary>
    private sealed class LineWriter(Action<string> onLine) : TextWriter
    {
        private readonly Lock _lock = new();
        private readonly StringBuilder _partial = new();

        public override Encoding Encoding => Encoding.UTF8;

        public override void Write(char value)
        {
            string? line = null;
            lock (_lock)
            {
                if (value == '\n')
                {
                    line = _partial.ToString().TrimEnd('\r');
                    _partial.Clear();
                }
                else
                {
                    _partial.Append(value);
                }
            }

            if (line is not null)
            {
                onLine(line);
            }
        }

        public override void WriteLine(string? value) => onLine(value ?? string.Empty);
    }
}
