using CircuitBreaker.Infra.Artifact;
using CircuitBreaker.Infra.Configuration;

namespace CircuitBreaker.Infra.Tests.Artifact;

public sealed class FunctionArtifactBuilderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("artifact-builder-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void PrebuiltFolderIsPackagedBesideIt()
    {
        var publish = Path.Combine(_folder, "publish");
        Directory.CreateDirectory(publish);
        File.WriteAllText(Path.Combine(publish, "bootstrap"), "stand-in");

        var package = FunctionArtifactBuilder.PackagePrebuilt(publish + Path.DirectorySeparatorChar, nativeAot: true);

        Assert.Equal(publish + "-lambda.zip", package);
        Assert.True(File.Exists(package));
    }

    [Fact]
    public void FailedPublishShowsTheCommandAndItsOutput()
    {
        // A repository without the functions project: dotnet publish fails quickly, without compiling anything.
        var builder = new FunctionArtifactBuilder(_folder);

        var error = Assert.Throws<ArtifactBuildException>(() => builder.Build(LambdaArchitecture.X64, nativeAot: false));

        Assert.Contains("dotnet publish", error.Message, StringComparison.Ordinal);
        Assert.Contains("CircuitBreaker.Functions.csproj", error.Message, StringComparison.Ordinal);
        Assert.Contains("exit code", error.Message, StringComparison.Ordinal);
    }
}
