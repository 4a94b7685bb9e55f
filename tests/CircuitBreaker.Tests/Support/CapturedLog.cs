using System.Text.Json;
using CircuitBreaker.Core.Logging;

namespace CircuitBreaker.Tests.Support;

/// <summary>A <see cref="FunctionLog"/> whose lines the test can read back as JSON.</summary>
internal sealed class CapturedLog
{
    public CapturedLog(TimeProvider time, string handler = "test") => Log = new FunctionLog(Output, time, handler);

    public LogCapture Output { get; } = new();

    public FunctionLog Log { get; }

    public IReadOnlyList<JsonElement> Lines => [.. Output.Lines.Select(line => JsonDocument.Parse(line).RootElement.Clone())];

    public IReadOnlyList<JsonElement> WithMessage(string message) =>
        [.. Lines.Where(line => line.GetProperty("message").GetString() == message)];
}
