namespace CircuitBreaker.Contract;

/// <summary>
/// Finds the repository's root, the folder holding <c>CircuitBreaker.sln</c>, from anywhere inside it. The
/// programs that run from a checkout (the stack building the functions, the local host starting dynalite, the
/// tests) share this one way of finding it; the deployed functions never call it.
/// </summary>
public static class RepositoryRoot
{
    /// <summary>The file that marks the root.</summary>
    public const string MarkerFile = "CircuitBreaker.sln";

    /// <summary>
    /// Walks up from <paramref name="startDirectory"/> (e.g. <see cref="AppContext.BaseDirectory"/>) to the first
    /// folder containing <see cref="MarkerFile"/>; null when none does.
    /// </summary>
    /// <param name="startDirectory">Where to start; relative paths are taken from the working directory.</param>
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
