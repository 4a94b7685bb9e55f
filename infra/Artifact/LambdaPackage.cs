using System.IO.Compression;

namespace CircuitBreaker.Infra.Artifact;

/// <summary>
/// Zips a published <c>bootstrap</c> folder the way Lambda needs it: <c>bootstrap</c> at the root with
/// its executable bit (Pulumi's own folder archives drop file modes), no symbols or docs, and fixed
/// timestamps so an unchanged build yields an unchanged package and no needless function update.
/// </summary>
public static class LambdaPackage
{
    /// <summary>The executable a custom runtime starts.</summary>
    public const string BootstrapFileName = "bootstrap";

    private const int ExecutableMode = 0b111_101_101; // rwxr-xr-x
    private const int ReadableMode = 0b110_100_100;   // rw-r--r--
    private const int RegularFileType = 0x8000;        // S_IFREG

    private static readonly DateTimeOffset FixedTimestamp = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly string[] ExcludedExtensions = [".pdb", ".dbg", ".xml"];

    /// <summary>Writes <paramref name="zipPath"/> from <paramref name="publishDirectory"/> and returns it.</summary>
    /// <param name="publishDirectory">A <c>dotnet publish</c> output folder holding <c>bootstrap</c>.</param>
    /// <param name="zipPath">Where to write the package.</param>
    /// <param name="bootstrapOnly">True for Native AOT, whose single file is the whole app.</param>
    public static string Create(string publishDirectory, string zipPath, bool bootstrapOnly)
    {
        var bootstrap = Path.Combine(publishDirectory, BootstrapFileName);
        if (!File.Exists(bootstrap))
        {
            throw new ArtifactBuildException($"'{bootstrap}' does not exist: the folder is not a publish of the functions project.");
        }

        var files = bootstrapOnly
            ? [bootstrap]
            : Directory.EnumerateFiles(publishDirectory, "*", SearchOption.AllDirectories)
                .Where(file => !ExcludedExtensions.Contains(Path.GetExtension(file), StringComparer.OrdinalIgnoreCase))
                .Order(StringComparer.Ordinal)
                .ToArray();

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(zipPath))!);
        File.Delete(zipPath);
        using (var zip = ZipFile.Open(zipPath, ZipArchiveMode.Create))
        {
            foreach (var file in files)
            {
                var entryName = Path.GetRelativePath(publishDirectory, file).Replace('\\', '/');
                var entry = zip.CreateEntry(entryName, CompressionLevel.Optimal);
                var mode = entryName == BootstrapFileName ? ExecutableMode : ReadableMode;
                entry.ExternalAttributes = (RegularFileType | mode) << 16;
                entry.LastWriteTime = FixedTimestamp;
                using var source = File.OpenRead(file);
                using var destination = entry.Open();
                source.CopyTo(destination);
            }
        }

        return zipPath;
    }
}
