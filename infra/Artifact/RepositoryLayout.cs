using CircuitBreaker.Contract;

namespace CircuitBreaker.Infra.Artifact;

/// <summary>Where the repository's projects are, found from wherever the Pulumi program runs.</summary>
public static class RepositoryLayout
{
    /// <summary>The functions project, relative to the root.</summary>
    public static readonly string FunctionsProject = Path.Combine("functions", "CircuitBreaker.Functions.csproj");

    /// <summary>
    /// The nearest folder holding <see cref="RepositoryRoot.MarkerFile"/>, walking up from the working directory
    /// (Pulumi runs the program from the project) and then from the program's own folder.
    /// </summary>
    public static string FindRoot() =>
        RepositoryRoot.Find(Directory.GetCurrentDirectory())
        ?? RepositoryRoot.Find(AppContext.BaseDirectory)
        ?? throw new ArtifactBuildException(
            $"Could not find {RepositoryRoot.MarkerFile} above '{Directory.GetCurrentDirectory()}' to build the functions from; "
            + "run pulumi from the repository, or set the stack's artifactPath to a published bootstrap folder.");
}
