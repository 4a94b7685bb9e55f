using CircuitBreaker.Infra.Artifact;
using CircuitBreaker.Infra.Configuration;

namespace CircuitBreaker.Infra.Tests.Artifact;

public sealed class PublishCommandTests
{
    private static readonly string[] NativeAotArguments =
        ["publish", "functions/CircuitBreaker.Functions.csproj", "--configuration", "Release", "--runtime", "linux-arm64", "--output", "out", "--nologo"];

    [Fact]
    public void NativeAotPublishUsesTheProjectsOwnSettings()
    {
        var arguments = PublishCommand.Arguments("functions/CircuitBreaker.Functions.csproj", LambdaArchitecture.Arm64, nativeAot: true, "out");

        Assert.Equal(NativeAotArguments, arguments);
    }

    [Fact]
    public void FallbackIsSelfContainedAndTrimmedWithoutAot()
    {
        var arguments = PublishCommand.Arguments("f.csproj", LambdaArchitecture.X64, nativeAot: false, "out");

        Assert.Contains("linux-x64", arguments);
        Assert.Contains("-p:PublishAot=false", arguments);
        Assert.Contains("-p:SelfContained=true", arguments);
        Assert.Contains("-p:PublishTrimmed=true", arguments);
    }
}
