using System.Text;

namespace CircuitBreaker.Tests.Support;

/// <summary>A TextWriter for a FunctionLog that keeps each line and lets a test await one.</summary>
public sealed class LogCapture : TextWriter
{
    private readonly Lock _gate = new();
    private readonly List<string> _lines = [];
    private readonly StringBuilder _partial = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <inheritdoc />
    public override Encoding Encoding => Encoding.UTF8;

    /// <summary>Every complete line written so far.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_gate)
            {
                return [.. _lines];
            }
        }
    }

    /// <inheritdoc />
    public override void Write(char value) => Append([value]);

    /// <inheritdoc />
    public override void Write(string? value) => Append(value);

    /// <inheritdoc />
    public override void Write(char[] buffer, int index, int count) => Append(buffer.AsSpan(index, count));

    // Several FunctionLogs (one per function instance, each with its own lock) share this writer: a line must
    // go in whole, or two instances' lines interleave character by character and neither can be found again.
    /// <inheritdoc />
    public override void WriteLine(string? value) => Append(string.Concat(value, "\n"));

    private void Append(ReadOnlySpan<char> text)
    {
        TaskCompletionSource? changed = null;
        lock (_gate)
        {
            foreach (var value in text)
            {
                if (value == '\n')
                {
                    _lines.Add(_partial.ToString().TrimEnd('\r'));
                    _partial.Clear();
                    changed ??= _changed;
                    _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }
                else
                {
                    _partial.Append(value);
                }
            }
        }

        changed?.TrySetResult();
    }

    /// <summary>Waits for a line matching <paramref name="predicate"/>, already written or yet to come.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> predicate, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                var match = _lines.FirstOrDefault(predicate);
                if (match is not null)
                {
                    return match;
                }

                changed = _changed.Task;
            }

            try
            {
                await changed.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"No matching log line within {timeout}. Lines: {string.Join(Environment.NewLine, Lines)}");
            }
        }
    }
}
