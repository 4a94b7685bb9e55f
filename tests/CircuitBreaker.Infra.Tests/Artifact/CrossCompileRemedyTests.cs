using System.Runtime.InteropServices;
using CircuitBreaker.Infra.Artifact;
using CircuitBreaker.Infra.Configuration;

namespace CircuitBreaker.Infra.Tests.Artifact;

public sealed class CrossCompileRemedyTests
{
    [Fact]
    public void SameArchitectureOnLinuxNeedsNothing()
    {
        Assert.Null(CrossCompileRemedy.HostLimitation(LambdaArchitecture.X64, OSPlatform.Linux, Architecture.X64));
        Assert.Null(CrossCompileRemedy.HostLimitation(LambdaArchitecture.Arm64, OSPlatform.Linux, Architecture.Arm64));
    }

    [Fact]
    public void Arm64OnAnX64LinuxHostNeedsTheCrossToolchain()
    {
        Assert.NotNull(CrossCompileRemedy.HostLimitation(LambdaArchitecture.Arm64, OSPlatform.Linux, Architecture.X64));

        var remedies = CrossCompileRemedy.Remedies(LambdaArchitecture.Arm64);
        Assert.Contains("clang lld gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu libc6-dev-arm64-cross", remedies, StringComparison.Ordinal);
        Assert.Contains("pulumi config set architecture x86_64", remedies, StringComparison.Ordinal);
        Assert.Contains("pulumi config set nativeAot false", remedies, StringComparison.Ordinal);
    }

    [Fact]
    public void OtherOperatingSystemsCannotCompileForLinux()
    {
        Assert.Contains("cross-OS", CrossCompileRemedy.HostLimitation(LambdaArchitecture.X64, OSPlatform.OSX, Architecture.Arm64), StringComparison.Ordinal);
        Assert.DoesNotContain("apt-get", CrossCompileRemedy.Remedies(LambdaArchitecture.X64), StringComparison.Ordinal);
    }
}
