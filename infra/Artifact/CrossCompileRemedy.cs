using System.Runtime.InteropServices;
using CircuitBreaker.Infra.Configuration;

namespace CircuitBreaker.Infra.Artifact;

/// <summary>
/// What to do when this machine cannot produce a Native AOT <c>bootstrap</c> for Lambda: Native AOT
/// compiles only for the host's OS, and for another architecture it needs that architecture's linker.
/// </summary>
public static class CrossCompileRemedy
{
    /// <summary>The Debian/Ubuntu packages that let a Linux x64 host link linux-arm64 Native AOT.</summary>
    public const string Arm64CrossPackages = "clang lld gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu libc6-dev-arm64-cross";

    /// <summary>
    /// Why a Native AOT publish for <paramref name="target"/> cannot work on this host, or null when it can.
    /// </summary>
    public static string? HostLimitation(LambdaArchitecture target, OSPlatform? hostOs = null, Architecture? hostArchitecture = null)
    {
        var isLinux = hostOs is { } os ? os == OSPlatform.Linux : RuntimeInformation.IsOSPlatform(OSPlatform.Linux);
        if (!isLinux)
        {
            return $"Native AOT cannot compile for Linux on {RuntimeInformation.OSDescription} (cross-OS native compilation is not supported).";
        }

        var host = hostArchitecture ?? RuntimeInformation.OSArchitecture;
        var targetArchitecture = target == LambdaArchitecture.Arm64 ? Architecture.Arm64 : Architecture.X64;
        return host == targetArchitecture
            ? null
            : $"Native AOT for {target.RuntimeIdentifier()} on a {host} host needs a cross linker and sysroot.";
    }

    /// <summary>The remedies, one per line, for a host that cannot build the configured artifact.</summary>
    public static string Remedies(LambdaArchitecture target)
    {
        var lines = new List<string>();
        if (target == LambdaArchitecture.Arm64)
        {
            lines.Add($"  - on a Debian/Ubuntu x64 host: sudo apt-get install {Arm64CrossPackages}");
            lines.Add($"  - or deploy for x64: pulumi config set {InfraSettingKeys.Architecture.ConfigKey} {LambdaArchitectureNames.X64}");
        }

        lines.Add($"  - or skip Native AOT (self-contained trimmed bootstrap): pulumi config set {InfraSettingKeys.NativeAot.ConfigKey} false");
        lines.Add($"  - or publish bootstrap elsewhere (e.g. a Linux CI runner) and point the stack at it: pulumi config set {InfraSettingKeys.ArtifactPath.ConfigKey} <folder>");
        return "Remedies:" + Environment.NewLine + string.Join(Environment.NewLine, lines);
    }
}
