using System.Runtime.InteropServices;

namespace CircuitBreaker.Bench.Report;

/// <summary>The machine the figures were measured on.</summary>
internal sealed record MachineInfo(int Cores, string Cpu, double MemoryGigabytes, string OperatingSystem, string DotnetVersion, string Architecture)
{
    public static MachineInfo Current()
    {
        var cpu = ReadFirst("/proc/cpuinfo", "model name") ?? RuntimeInformation.ProcessArchitecture.ToString();
        var memoryKb = ReadFirst("/proc/meminfo", "MemTotal") is { } line
            && long.TryParse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], out var kb) ? kb : 0;
        return new MachineInfo(
            Environment.ProcessorCount,
            cpu,
            memoryKb / 1024.0 / 1024.0,
            RuntimeInformation.OSDescription,
            RuntimeInformation.FrameworkDescription,
            RuntimeInformation.ProcessArchitecture.ToString());
    }

    private static string? ReadFirst(string file, string key)
    {
        if (!File.Exists(file))
        {
            return null;
        }

        return File.ReadLines(file)
            .Where(l => l.StartsWith(key, StringComparison.Ordinal))
            .Select(l => l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim())
            .FirstOrDefault();
    }
}
