namespace CircuitBreaker.Local.Dynalite;

/// <summary>Finds the repository's root, the folder holding <c>CircuitBreaker.sln</c>, from anywhere inside it.</summary>
internal static class RepositoryRoot
{
    /// <summary>The file that marks the root.</summary>
    public const string MarkerFile = "CircuitBreaker.sln";

    /// <summary>
    /// Walks up from <paramref name="startDirectory"/> (e.g. <see cref="AppContext.BaseDirectory"/>) to the first
    /// folder containing <see cref="MarkerFile"/>; null when none does.
    /// </summary>
    public static string? Find(string startDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(startDirectory);
        for (var directory = new DirectoryInfo(Path.GetFullPath(startDirectory)); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, MarkerFile)))
            {
                return directory.FullName;
            }
        }

        return null;
    }
}
