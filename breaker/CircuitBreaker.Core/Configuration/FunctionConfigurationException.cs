namespace CircuitBreaker.Core.Configuration;

/// <summary>The function's environment is wrong; reported to <c>/runtime/init/error</c> with every problem found.</summary>
public sealed class FunctionConfigurationException(IReadOnlyList<string> problems)
    : Exception("Invalid function configuration: " + string.Join(" ", problems))
{
    /// <summary>Each problem, naming the variable and the expected form.</summary>
    public IReadOnlyList<string> Problems { get; } = problems;
}
