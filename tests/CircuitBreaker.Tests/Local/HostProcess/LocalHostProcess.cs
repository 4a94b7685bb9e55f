using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using CircuitBreaker.Tests.Support;

namespace CircuitBreaker.Tests.Local.HostProcess;

/// <summary>
/// The real local host (<c>CircuitBreaker.Local</c>, as <c>dotnet run --project local</c> runs it) as a child process in
/// its own session and process group, so that a test can do what a terminal's Ctrl+C does: signal the whole group.
/// Its output is captured line by line.
/// </summary>
internal sealed partial class LocalHostProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];
    private readonly List<string> _error = [];
    private readonly TaskCompletionSource<Uri> _apiAddress = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private LocalHostProcess(Process process) => _process = process;

    /// <summary>The host's process id, also its process group's id (it leads a new session).</summary>
    public int ProcessGroup => _process.Id;

    /// <summary>The HTTP API's address from the banner.</summary>
    public Task<Uri> ApiAddress => _apiAddress.Task;

    /// <summary>Completes once the host prints "Press Ctrl+C to stop.".</summary>
    public Task Ready => _ready.Task;

    /// <summary>Standard output so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output);
            }
        }
    }

    /// <summary>Standard error so far.</summary>
    public string Error
    {
        get
        {
            lock (_error)
            {
                return string.Join('\n', _error);
            }
        }
    }

    /// <summary>Whether this machine can run the test: setsid, kill and /proc (Linux).</summary>
    public static bool Supported => File.Exists("/usr/bin/setsid") && Directory.Exists("/proc") && OperatingSystem.IsLinux();

    /// <summary>Starts the host with <paramref name="arguments"/> from the test's output folder.</summary>
    public static LocalHostProcess Start(params string[] arguments) => Start(new Dictionary<string, string?>(), arguments);

    /// <summary>Starts the host with <paramref name="arguments"/>, its environment changed by <paramref name="environment"/>
    /// (a null value removes the variable).</summary>
    public static LocalHostProcess Start(IReadOnlyDictionary<string, string?> environment, params string[] arguments)
    {
        var host = Path.Combine(AppContext.BaseDirectory, "CircuitBreaker.Local");
        var startInfo = new ProcessStartInfo("/usr/bin/setsid")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = DynaliteFixture.RepositoryRoot,
        };

        foreach (var (name, value) in environment)
        {
            if (value is null)
            {
                startInfo.Environment.Remove(name);
            }
            else
            {
                startInfo.Environment[name] = value;
            }
        }

        // Not a group leader, setsid execs the host in place: same pid, now leading its own session and group.
        startInfo.ArgumentList.Add(host);
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = Process.Start(startInfo) ?? throw new InvalidOperationException("setsid did not start.");
        var running = new LocalHostProcess(process);
        process.OutputDataReceived += (_, line) => running.OnOutput(line.Data);
        process.ErrorDataReceived += (_, line) => running.OnError(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return running;
    }

    /// <summary>Sends <paramref name="signal"/> (e.g. INT) to every process of the host's group, as a terminal does.</summary>
    public void SignalGroup(string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, "--", "-" + ProcessGroup.ToString(CultureInfo.InvariantCulture)])
        {
            UseShellExecute = false,
        })!;
        kill.WaitForExit();
    }

    /// <summary>Waits for the host to exit and returns its exit code, or null if it is still running after <paramref name="bound"/>.</summary>
    public async Task<int?> WaitForExitAsync(TimeSpan bound)
    {
        using var timeout = new CancellationTokenSource(bound);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            return null;
        }

        // WaitForExitAsync also waits for the redirected streams to end, so the output is complete.
        return _process.ExitCode;
    }

    /// <summary>Processes still in the host's group (node included), by pid, from /proc.</summary>
    public IReadOnlyList<int> ProcessesLeftInGroup()
    {
        var left = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                // Field 5 is the process group; field 2 (the name) may hold spaces, so count from its closing paren.
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (fields[2] == ProcessGroup.ToString(CultureInfo.InvariantCulture) && fields[0] != "Z")
                {
                    left.Add(pid);
                }
            }
            catch (IOException)
            {
                // The process ended while being read.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return left;
    }

    /// <summary>Kills whatever is left of the group, so no test leaves processes behind.</summary>
    public void Dispose()
    {
        if (ProcessesLeftInGroup().Count > 0)
        {
            SignalGroup("KILL");
        }

        _process.Dispose();
    }

    private void OnOutput(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Add(line);
        }

        var address = ApiLine().Match(line);
        if (address.Success)
        {
            _apiAddress.TrySetResult(new Uri(address.Groups[1].Value));
        }

        if (line.StartsWith("Press Ctrl+C to stop.", StringComparison.Ordinal))
        {
            _ready.TrySetResult();
        }
    }

    private void OnError(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_error)
        {
            _error.Add(line);
        }
    }

    [GeneratedRegex(@"^HTTP API:\s+(http://\S+)")]
    private static partial Regex ApiLine();
}
