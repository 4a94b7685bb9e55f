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

/// <summary>The machine's one-minute load average, read before each run: other work on the same cores shows here.</summary>
internal static class LoadAverage
{
    /// <summary>The one-minute load average, or NaN where /proc/loadavg is missing.</summary>
    public static double OneMinute()
    {
        const string file = "/proc/loadavg";
        if (!File.Exists(file))
        {
            return double.NaN;
        }

        var first = File.ReadAllText(file).Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        return CircuitBreaker.Contract.SettingValues.TryFiniteNumber(first, out var load) ? load : double.NaN;
    }
}
