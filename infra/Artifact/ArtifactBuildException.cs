namespace CircuitBreaker.Infra.Artifact;

/// <summary>The functions' <c>bootstrap</c> could not be built; the message says why and what to do.</summary>
public sealed class ArtifactBuildException : Exception
{
    /// <summary>Creates the exception with no detail.</summary>
    public ArtifactBuildException()
        : base("The functions' bootstrap could not be built.")
    {
    }

    /// <summary>Creates the exception with a message that names the remedy.</summary>
    public ArtifactBuildException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public ArtifactBuildException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
