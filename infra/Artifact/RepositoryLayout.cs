namespace CircuitBreaker.Infra.Artifact;

/// <summary>Where the repository's projects are, found from wherever the Pulumi program runs.</summary>
public static class RepositoryLayout
{
    /// <summary>The file that marks the repository root.</summary>
    public const string SolutionFileName = "CircuitBreaker.sln";

    /// <summary>The functions project, relative to the root.</summary>
    public static readonly string FunctionsProject = Path.Combine("functions", "CircuitBreaker.Functions.csproj");

    /// <summary>
    /// The nearest folder holding <see cref="SolutionFileName"/>, walking up from the working directory
    /// (Pulumi runs the program from the project) and then from the program's own folder.
    /// </summary>
    public static string FindRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, SolutionFileName)))
                {
                    return directory.FullName;
                }
            }
        }

        throw new ArtifactBuildException(
            $"Could not find {SolutionFileName} above '{Directory.GetCurrentDirectory()}' to build the functions from; "
            + "run pulumi from the repository, or set the stack's artifactPath to a published bootstrap folder.");
    }
}
