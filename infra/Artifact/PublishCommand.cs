using CircuitBreaker.Infra.Configuration;

namespace CircuitBreaker.Infra.Artifact;

/// <summary>The <c>dotnet publish</c> command line that produces <c>bootstrap</c> for one architecture.</summary>
public static class PublishCommand
{
    /// <summary>
    /// The arguments after <c>dotnet</c>. Native AOT is the functions project's default; the fallback
    /// turns it off and publishes a self-contained trimmed app, whose apphost is still named
    /// <c>bootstrap</c> (the project's AssemblyName), so Lambda's custom runtime starts it the same way.
    /// </summary>
    public static IReadOnlyList<string> Arguments(string functionsProject, LambdaArchitecture architecture, bool nativeAot, string outputDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(functionsProject);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputDirectory);

        var arguments = new List<string>
        {
            "publish", functionsProject,
            "--configuration", "Release",
            "--runtime", architecture.RuntimeIdentifier(),
            "--output", outputDirectory,
            "--nologo",
        };

        if (!nativeAot)
        {
            arguments.AddRange(["-p:PublishAot=false", "-p:SelfContained=true", "-p:PublishTrimmed=true"]);
        }

        return arguments;
    }
}
