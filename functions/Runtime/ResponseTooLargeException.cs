namespace CircuitBreaker.Functions.Runtime;

/// <summary>The Runtime API refused a response as too large (413); the invocation is reported failed instead.</summary>
internal sealed class ResponseTooLargeException(int responseBytes, RuntimeApiException refusal)
    : Exception($"The function's response ({responseBytes} bytes) is larger than the Runtime API accepts.", refusal)
{
    /// <summary>Size of the refused response.</summary>
    public int ResponseBytes { get; } = responseBytes;
}
