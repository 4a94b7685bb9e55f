using Pulumi;

namespace CircuitBreaker.Infra.Tests.Support;

internal static class OutputValues
{
    /// <summary>The value an output resolves to (the mocks resolve every output).</summary>
    public static Task<T> Of<T>(Output<T> output)
    {
        var resolved = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = output.Apply(value =>
        {
            resolved.TrySetResult(value);
            return value;
        });
        return resolved.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }
}
