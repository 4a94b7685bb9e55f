namespace CircuitBreaker.Bench;

/// <summary>Finds the repository root: the nearest folder up from the bench's binaries or the working directory holding CircuitBreaker.sln.</summary>
internal static class RepositoryLocator
{
    public static string Find()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "CircuitBreaker.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException("CircuitBreaker.sln not found above the bench's folder or the working directory.");
    }
}
