using CircuitBreaker.Contract;

namespace CircuitBreaker.Tests.Contract;

public sealed class RepositoryRootTests
{
    [Fact]
    public void FindsTheFolderHoldingTheSolutionFromTheTestOutput()
    {
        var root = RepositoryRoot.Find(AppContext.BaseDirectory);

        Assert.NotNull(root);
        Assert.True(File.Exists(Path.Combine(root, RepositoryRoot.MarkerFile)));
        Assert.StartsWith(root, AppContext.BaseDirectory, StringComparison.Ordinal);
    }

    [Fact]
    public void ReturnsNullOutsideTheRepository()
    {
        var outside = Directory.CreateTempSubdirectory("no-repository-");
        try
        {
            Assert.Null(RepositoryRoot.Find(outside.FullName));
        }
        finally
        {
            outside.Delete();
        }
    }
}
