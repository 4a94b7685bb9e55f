namespace CircuitBreaker.Infra.Configuration;

/// <summary>The stack's configuration is invalid; the message lists every problem, one per line.</summary>
public sealed class StackConfigurationException : Exception
{
    /// <summary>Creates the exception from every problem found.</summary>
    public StackConfigurationException(IReadOnlyList<string> errors)
        : base(Describe(errors))
    {
        Errors = errors;
    }

    /// <summary>Creates the exception with one message.</summary>
    public StackConfigurationException(string message)
        : this([message])
    {
    }

    /// <summary>Creates the exception with no detail.</summary>
    public StackConfigurationException()
        : this("The stack's configuration is invalid.")
    {
    }

    /// <summary>Creates the exception with one message and its cause.</summary>
    public StackConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [message];
    }

    /// <summary>Every problem found, each naming its config key and the expected form.</summary>
    public IReadOnlyList<string> Errors { get; }

    private static string Describe(IReadOnlyList<string> errors) =>
        "The circuit breaker stack's configuration is invalid; nothing was declared. "
        + "Fix with `pulumi config set <key> <value>`:" + Environment.NewLine
        + string.Join(Environment.NewLine, errors.Select(error => "  - " + error));
}
