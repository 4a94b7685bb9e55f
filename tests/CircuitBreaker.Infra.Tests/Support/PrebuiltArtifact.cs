namespace CircuitBreaker.Infra.Tests.Support;

/// <summary>
/// A stand-in publish folder holding a file named <c>bootstrap</c>, given to the stack as
/// <c>artifactPath</c> so that the tests never run <c>dotnet publish</c>.
/// </summary>
internal sealed class PrebuiltArtifact : IDisposable
{
    public PrebuiltArtifact()
    {
        Folder = Path.Combine(Path.GetTempPath(), "circuit-breaker-infra-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
        File.WriteAllText(Path.Combine(Folder, "bootstrap"), "#!/bin/sh\necho stand-in\n");
    }

    public string Folder { get; }

    public string PackagePath => Folder + "-lambda.zip";

    public void Dispose()
    {
        Directory.Delete(Folder, recursive: true);
        File.Delete(PackagePath);
    }
}
