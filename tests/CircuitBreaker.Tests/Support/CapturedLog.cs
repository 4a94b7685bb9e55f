using System.Text;
using System.Text.Json;
using CircuitBreaker.Functions.Logging;

namespace CircuitBreaker.Tests.Support;

/// <summary>A <see cref="FunctionLog"/> whose lines the test can read back as JSON.</summary>
internal sealed class CapturedLog
{
    private readonly StringBuilder _output = new();
    private readonly TextWriter _writer;

    public CapturedLog(TimeProvider time, string handler = "test")
    {
        _writer = TextWriter.Synchronized(new StringWriter(_output));
        Log = new FunctionLog(_writer, time, handler);
    }

    public FunctionLog Log { get; }

    public IReadOnlyList<JsonElement> Lines =>
        [.. Text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement.Clone())];

    // A synchronized TextWriter writes while holding its own monitor, so holding it here reads whole lines only.
    private string Text
    {
        get
        {
            lock (_writer)
            {
                return _output.ToString();
            }
        }
    }

    public IReadOnlyList<JsonElement> WithMessage(string message) =>
        [.. Lines.Where(line => line.GetProperty("message").GetString() == message)];
}
