using System.Diagnostics;
using CircuitBreaker.Infra.Configuration;

namespace CircuitBreaker.Infra.Artifact;

/// <summary>
/// Produces the Lambda package of the one <c>bootstrap</c> executable: publishes the functions project
/// for the configured architecture (unless a prebuilt folder is configured) and zips it.
/// </summary>
public sealed class FunctionArtifactBuilder
{
    private const int OutputLinesShownOnFailure = 40;

    private readonly string _repositoryRoot;

    /// <summary>Creates a builder for the repository at <paramref name="repositoryRoot"/>.</summary>
    public FunctionArtifactBuilder(string repositoryRoot)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(repositoryRoot);
        _repositoryRoot = repositoryRoot;
    }

    /// <summary>
    /// Publishes the functions project for <paramref name="architecture"/> under
    /// <c>artifacts/lambda/</c> and returns the path of the zip holding <c>bootstrap</c>.
    /// </summary>
    /// <exception cref="ArtifactBuildException">The publish failed; the message names the remedy.</exception>
    public string Build(LambdaArchitecture architecture, bool nativeAot)
    {
        var flavour = $"{architecture.RuntimeIdentifier()}-{(nativeAot ? "aot" : "trimmed")}";
        var packageDirectory = Path.Combine(_repositoryRoot, "artifacts", "lambda");
        var publishDirectory = Path.Combine(packageDirectory, flavour);
        Publish(architecture, nativeAot, publishDirectory);
        return LambdaPackage.Create(publishDirectory, Path.Combine(packageDirectory, $"{flavour}.zip"), bootstrapOnly: nativeAot);
    }

    /// <summary>
    /// Packages an already published folder (config <c>artifactPath</c>) without building: the zip is
    /// written beside it as <c>&lt;folder&gt;-lambda.zip</c>, a stable path for preview and update alike.
    /// </summary>
    public static string PackagePrebuilt(string publishDirectory, bool nativeAot)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(publishDirectory);
        var folder = Path.TrimEndingDirectorySeparator(Path.GetFullPath(publishDirectory));
        return LambdaPackage.Create(folder, folder + "-lambda.zip", bootstrapOnly: nativeAot);
    }

    private void Publish(LambdaArchitecture architecture, bool nativeAot, string publishDirectory)
    {
        if (nativeAot && CrossCompileRemedy.HostLimitation(architecture) is { } limitation
            && limitation.Contains("cross-OS", StringComparison.Ordinal))
        {
            throw new ArtifactBuildException(limitation + Environment.NewLine + CrossCompileRemedy.Remedies(architecture));
        }

        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = _repositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in PublishCommand.Arguments(Path.Combine(_repositoryRoot, RepositoryLayout.FunctionsProject), architecture, nativeAot, publishDirectory))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)
            ?? throw new ArtifactBuildException("Could not start `dotnet`: install the .NET 10 SDK and put it on PATH.");
        var standardOutput = process.StandardOutput.ReadToEndAsync();
        var standardError = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        var output = standardOutput.GetAwaiter().GetResult() + standardError.GetAwaiter().GetResult();

        if (process.ExitCode == 0)
        {
            return;
        }

        var commandLine = "dotnet " + string.Join(' ', start.ArgumentList);
        var tail = string.Join(Environment.NewLine, output.Split('\n').Select(line => line.TrimEnd('\r')).Where(line => line.Length > 0).TakeLast(OutputLinesShownOnFailure));
        var message = $"Building the functions' bootstrap failed (exit code {process.ExitCode}): {commandLine}{Environment.NewLine}{tail}";
        if (nativeAot && CrossCompileRemedy.HostLimitation(architecture) is { } crossCompile)
        {
            message += Environment.NewLine + crossCompile + Environment.NewLine + CrossCompileRemedy.Remedies(architecture);
        }

        throw new ArtifactBuildException(message);
    }
}
