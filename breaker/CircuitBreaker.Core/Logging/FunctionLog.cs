using System.Buffers;
using System.Text;
using System.Text.Json;

namespace CircuitBreaker.Core.Logging;

/// <summary>
/// Writes one JSON object per line (timestamp, level, message, handler, requestId, serviceId,
/// circuitState, then any extra fields), the shape Lambda's JSON log format ingests as is.
/// </summary>
public sealed class FunctionLog(TextWriter output, TimeProvider time, string handler)
{
    private readonly Lock _writeLock = new();

    /// <summary>The handler name stamped on every line.</summary>
    public string Handler => handler;

    /// <summary>Writes one line.</summary>
    public void Write(LogLevel level, string message, LogScope scope = default, params ReadOnlySpan<(string Name, object? Value)> fields) =>
        Write(level, message, scope, metrics: null, fields);

    /// <summary>Writes one line carrying <paramref name="metrics"/> in Embedded Metric Format (see <see cref="EmbeddedMetrics"/>).</summary>
    public void Write(LogLevel level, string message, LogScope scope, EmbeddedMetrics? metrics, params ReadOnlySpan<(string Name, object? Value)> fields)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var now = time.GetUtcNow();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("timestamp", now.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteString("level", LevelName(level));
            json.WriteString("message", message);
            json.WriteString("handler", handler);
            WriteIfSet(json, "requestId", scope.RequestId);
            WriteIfSet(json, "serviceId", scope.ServiceId);
            WriteIfSet(json, "circuitState", scope.CircuitState);
            foreach (var (name, value) in fields)
            {
                WriteValue(json, name, value);
            }

            metrics?.WriteTo(json, now);
            json.WriteEndObject();
        }

        var line = Encoding.UTF8.GetString(buffer.WrittenSpan);
        lock (_writeLock)
        {
            output.WriteLine(line);
            output.Flush();
        }
    }

    /// <summary>Writes an Info line.</summary>
    public void Info(string message, LogScope scope = default, params ReadOnlySpan<(string Name, object? Value)> fields) =>
        Write(LogLevel.Info, message, scope, fields);

    /// <summary>Writes an Info line with the invocation's metrics.</summary>
    public void Info(string message, LogScope scope, EmbeddedMetrics metrics, params ReadOnlySpan<(string Name, object? Value)> fields) =>
        Write(LogLevel.Info, message, scope, metrics, fields);

    /// <summary>Writes a Warn line.</summary>
    public void Warn(string message, LogScope scope = default, params ReadOnlySpan<(string Name, object? Value)> fields) =>
        Write(LogLevel.Warn, message, scope, fields);

    /// <summary>Writes an Error line.</summary>
    public void Error(string message, LogScope scope = default, params ReadOnlySpan<(string Name, object? Value)> fields) =>
        Write(LogLevel.Error, message, scope, fields);

    private static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Info => "INFO",
        LogLevel.Warn => "WARN",
        _ => "ERROR",
    };

    private static void WriteIfSet(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }

    // Only the value types the functions log; anything else is logged by its invariant text.
    private static void WriteValue(Utf8JsonWriter json, string name, object? value)
    {
        switch (value)
        {
            case null: json.WriteNull(name); break;
            case string s: json.WriteString(name, s); break;
            case bool b: json.WriteBoolean(name, b); break;
            case int i: json.WriteNumber(name, i); break;
            case long l: json.WriteNumber(name, l); break;
            case double d: json.WriteNumber(name, Math.Round(d, 3)); break;
            case TimeSpan t: json.WriteNumber(name, Math.Round(t.TotalMilliseconds, 3)); break;
            case DateTimeOffset o: json.WriteString(name, o.ToUniversalTime().ToString("O", System.Globalization.CultureInfo.InvariantCulture)); break;
            case Exception e: json.WriteString(name, $"{e.GetType().Name}: {e.Message}"); break;
            default: json.WriteString(name, Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)); break;
        }
    }
}
