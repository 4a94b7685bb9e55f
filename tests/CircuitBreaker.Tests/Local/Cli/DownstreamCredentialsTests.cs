using CircuitBreaker.Local.Cli;

namespace CircuitBreaker.Tests.Local.Cli;

/// <summary>A downstream URL with user:password@ is refused before anything starts, and nothing prints the password.</summary>
public sealed class DownstreamCredentialsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("local-credentials-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData("http://admin:hunter2@127.0.0.1:1/base/")]
    [InlineData("https://hunter2@127.0.0.1:1")]
    [InlineData("ftp://admin:hunter2@127.0.0.1:1/")]
    [InlineData("simulate:admin:hunter2@ok")]
    public async Task TheDownstreamOptionIsRefusedWithExitTwoAndNoOutputShowsThePassword(string downstream)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var exit = await LocalCommand.RunAsync(["--port", "0", "--downstream", downstream], output, error,
            (_, _) => throw new InvalidOperationException("no instance may start"),
            _ => throw new InvalidOperationException("dynalite may not start"),
            TimeProvider.System, TestContext.Current.CancellationToken);

        Assert.Equal(2, exit);
        Assert.Contains("--downstream", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.ToString() + output, StringComparison.Ordinal);
    }

    [Fact]
    public void TheConfigFilesDownstreamUrlIsRefusedTheSameWay()
    {
        File.WriteAllText(Path.Combine(_folder, "Pulumi.yaml"), "name: cb\nruntime: dotnet\n");
        var stack = Path.Combine(_folder, "Pulumi.dev.yaml");
        File.WriteAllText(stack, "config:\n  cb:downstreamUrl: https://admin:hunter2@api.example.com/\n");

        var result = LocalOptionsParser.Parse(["--config", stack]);

        var error = Assert.Single(result.Errors);
        Assert.Contains("'downstreamUrl' in --config", error, StringComparison.Ordinal);
        Assert.Contains("user information", error, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error, StringComparison.Ordinal);
    }
}
