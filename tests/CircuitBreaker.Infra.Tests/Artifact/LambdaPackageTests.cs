using System.IO.Compression;
using CircuitBreaker.Infra.Artifact;

namespace CircuitBreaker.Infra.Tests.Artifact;

public sealed class LambdaPackageTests : IDisposable
{
    private const int ExecutableByEveryone = 0b001_001_001;

    private static readonly string[] TrimmedAppFiles = ["System.Private.CoreLib.dll", "bootstrap", "bootstrap.dll", "libclrjit.so"];

    private readonly string _folder = Directory.CreateTempSubdirectory("lambda-package-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void NativeAotPackageIsBootstrapAloneAndExecutable()
    {
        var publish = Publish("bootstrap", "bootstrap.dbg", "CircuitBreaker.Contract.pdb");

        using var zip = ZipFile.OpenRead(LambdaPackage.Create(publish, Path.Combine(_folder, "aot.zip"), bootstrapOnly: true));

        var entry = Assert.Single(zip.Entries);
        Assert.Equal("bootstrap", entry.FullName);
        Assert.Equal(ExecutableByEveryone, (entry.ExternalAttributes >> 16) & ExecutableByEveryone);
    }

    [Fact]
    public void TrimmedPackageKeepsTheAppButNotSymbolsOrDocs()
    {
        var publish = Publish("bootstrap", "bootstrap.dll", "System.Private.CoreLib.dll", "libclrjit.so", "bootstrap.pdb", "bootstrap.xml");

        using var zip = ZipFile.OpenRead(LambdaPackage.Create(publish, Path.Combine(_folder, "trimmed.zip"), bootstrapOnly: false));

        Assert.Equal(TrimmedAppFiles, zip.Entries.Select(entry => entry.FullName).Order(StringComparer.Ordinal));
        Assert.Equal(0, (zip.GetEntry("bootstrap.dll")!.ExternalAttributes >> 16) & ExecutableByEveryone);
    }

    [Fact]
    public void UnchangedBuildGivesAnIdenticalPackage()
    {
        var publish = Publish("bootstrap");
        var first = File.ReadAllBytes(LambdaPackage.Create(publish, Path.Combine(_folder, "a.zip"), bootstrapOnly: true));
        File.SetLastWriteTimeUtc(Path.Combine(publish, "bootstrap"), DateTime.UtcNow.AddHours(1));

        var second = File.ReadAllBytes(LambdaPackage.Create(publish, Path.Combine(_folder, "a.zip"), bootstrapOnly: true));

        Assert.Equal(first, second);
    }

    [Fact]
    public void FolderWithoutBootstrapIsRefused()
    {
        var publish = Publish("bootstrap.dll");

        var error = Assert.Throws<ArtifactBuildException>(() => LambdaPackage.Create(publish, Path.Combine(_folder, "x.zip"), bootstrapOnly: false));
        Assert.Contains("bootstrap", error.Message, StringComparison.Ordinal);
    }

    private string Publish(params string[] files)
    {
        var publish = Path.Combine(_folder, "publish");
        Directory.CreateDirectory(publish);
        foreach (var file in files)
        {
            File.WriteAllText(Path.Combine(publish, file), "content of " + file);
        }

        return publish;
    }
}
