using System.Diagnostics;
using System.Runtime.InteropServices;

namespace CircuitBreaker.Tests.Aot;

/// <summary>
/// The Native AOT <c>bootstrap</c> under test: the one CI published (<c>CIRCUIT_BREAKER_BOOTSTRAP</c>), or one this
/// fixture publishes once per test run, exactly as the README documents it.
/// </summary>
public sealed class BootstrapBinary : IAsyncLifetime
{
    public const string PathVariable = "CIRCUIT_BREAKER_BOOTSTRAP";

    /// <summary>The binary's path; null when this machine cannot run it, with <see cref="Unavailable"/> saying why.</summary>
    public string? Path { get; private set; }

    public string? Unavailable { get; private set; }

    public async ValueTask InitializeAsync()
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux) || RuntimeInformation.OSArchitecture != Architecture.X64)
        {
            Unavailable = $"the AOT bootstrap is tested on linux-x64; this is {RuntimeInformation.RuntimeIdentifier}.";
            return;
        }

        var prebuilt = Environment.GetEnvironmentVariable(PathVariable);
        if (!string.IsNullOrEmpty(prebuilt))
        {
            Path = File.Exists(prebuilt) ? prebuilt : throw new FileNotFoundException($"{PathVariable} names a missing file.", prebuilt);
            return;
        }

        var root = Support.DynaliteFixture.RepositoryRoot;
        var output = System.IO.Path.Combine(root, "artifacts", "test-bootstrap", "linux-x64");
        var publish = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = root,
        };
        foreach (var argument in new[] { "publish", "functions/CircuitBreaker.Functions.csproj", "-c", "Release", "-r", "linux-x64", "-o", output, "--nologo" })
        {
            publish.ArgumentList.Add(argument);
        }

        using var process = Process.Start(publish)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet publish of the AOT bootstrap failed ({process.ExitCode}):\n{await stdout}\n{await stderr}");
        }

        Path = System.IO.Path.Combine(output, "bootstrap");
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
