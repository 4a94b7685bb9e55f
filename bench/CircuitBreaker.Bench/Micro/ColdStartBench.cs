using System.Diagnostics;
using Amazon.Runtime;
using CircuitBreaker.Bench.Metrics;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Store;
using CircuitBreaker.Local.Downstream;
using CircuitBreaker.Local.Dynalite;
using CircuitBreaker.Local.Hosting;
using CircuitBreaker.Local.LambdaService;

namespace CircuitBreaker.Bench.Micro;

/// <summary>
/// Cold start of the bootstrap, Native AOT against JIT: each sample starts a new process serving the webservice
/// against the local host's Lambda service (its Runtime API) and measures process start → first response posted. The
/// functions are published (AOT) and built (JIT) first, into the bench's obj folder.
/// </summary>
internal static class ColdStartBench
{
    private static readonly TimeSpan FirstResponseBound = TimeSpan.FromSeconds(30);

    public static async Task<(IReadOnlyList<ColdStartResult> Results, string? Note)> RunAsync(
        string root, int samples, TextWriter output, CancellationToken cancellationToken)
    {
        var project = Path.Combine(root, "functions", "CircuitBreaker.Functions.csproj");
        var outDir = Path.Combine(root, "bench", "CircuitBreaker.Bench", "obj", "coldstart");
        var aotDir = Path.Combine(outDir, "aot");
        var jitDir = Path.Combine(outDir, "jit");
        await output.WriteLineAsync("  publishing the functions with Native AOT (linux-x64) ...").ConfigureAwait(false);
        var aotLog = await DotnetAsync(["publish", project, "-c", "Release", "-r", "linux-x64", "-o", aotDir], cancellationToken).ConfigureAwait(false);
        if (aotLog is not null)
        {
            return ([], "Not measured: the Native AOT publish failed:\n\n```\n" + aotLog + "\n```");
        }

        await output.WriteLineAsync("  building the functions for the JIT ...").ConfigureAwait(false);
        var jitLog = await DotnetAsync(["build", project, "-c", "Release", "-o", jitDir], cancellationToken).ConfigureAwait(false);
        if (jitLog is not null)
        {
            return ([], "Not measured: the JIT build failed:\n\n```\n" + jitLog + "\n```");
        }

        await using var dynalite = await DynaliteServer.StartAsync(DynaliteOptions.ForRepository(root), cancellationToken).ConfigureAwait(false);
        await using var downstream = await DownstreamSimulator.StartAsync(SimulatorMode.Ok, 0, cancellationToken).ConfigureAwait(false);
        // The bench starts each process itself (to time it and read its memory), so the service starts no instance.
        await using var runtimeApi = new LocalLambdaService(
            [HandlerNames.Webservice],
            static (_, _) => Task.CompletedTask,
            new LocalLambdaServiceOptions(LocalSystem.Region, QueueWait: FirstResponseBound),
            TimeProvider.System,
            TextWriter.Null);
        await runtimeApi.StartAsync(0, cancellationToken).ConfigureAwait(false);
        const string table = "coldstart";
        using (var client = CircuitBreaker.Aws.Configuration.AwsClientFactory.DynamoDb(dynalite.Endpoint, LocalSystem.Region, TimeSpan.FromSeconds(5), new BasicAWSCredentials("bench", "bench")))
        {
            await new CircuitTableProvisioner().CreateAsync(client, table, cancellationToken).ConfigureAwait(false);
        }

        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [FunctionEnvironment.Handler] = HandlerNames.Webservice,
            [FunctionEnvironment.RuntimeApi] = runtimeApi.RuntimeApiFor(HandlerNames.Webservice),
            [FunctionEnvironment.FunctionName] = HandlerNames.Webservice,
            [FunctionEnvironment.TableName] = table,
            [FunctionEnvironment.EventBusName] = "coldstart",
            [FunctionEnvironment.Region] = LocalSystem.Region,
            [FunctionEnvironment.DynamoDbEndpointUrl] = dynalite.Endpoint.AbsoluteUri,
            [FunctionEnvironment.EventsEndpointUrl] = "http://127.0.0.1:9/",
            ["AWS_ACCESS_KEY_ID"] = "bench",
            ["AWS_SECRET_ACCESS_KEY"] = "bench",
            [CircuitSettingKeys.DownstreamUrl.EnvironmentVariable] = downstream.BaseAddress.AbsoluteUri,
            [CircuitSettingKeys.DownstreamTimeoutSeconds.EnvironmentVariable] = "5",
        };

        var builds = new[]
        {
            (Name: "Native AOT (bootstrap)", File: Path.Combine(aotDir, "bootstrap"), Args: Array.Empty<string>(),
                Size: new FileInfo(Path.Combine(aotDir, "bootstrap")).Length, SizeWhat: "one self-contained executable"),
            (Name: "JIT (dotnet bootstrap.dll)", File: "dotnet", Args: new[] { Path.Combine(jitDir, "bootstrap.dll") },
                Size: Directory.EnumerateFiles(jitDir, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length),
                SizeWhat: "framework-dependent build output; the shared .NET runtime comes on top"),
        };

        var results = new List<ColdStartResult>();
        foreach (var build in builds)
        {
            var times = new List<double>();
            var peaks = new List<long>();
            for (var i = 0; i < samples; i++)
            {
                var (elapsed, outcome, peakKb, exit) = await SampleAsync(build.File, build.Args, environment, runtimeApi, i, cancellationToken).ConfigureAwait(false);
                if (outcome != nameof(InvocationOutcome.Success))
                {
                    return (results, $"Not measured: {build.Name} did not answer its first invocation ({outcome}{exit}). The bootstrap's Program must serve `_HANDLER` through the Runtime API loop.");
                }

                times.Add(elapsed.TotalMilliseconds);
                peaks.Add(peakKb);
            }

            var result = new ColdStartResult(build.Name, samples, Percentiles.Median(times), times.Min(), times.Max(), build.Size, build.SizeWhat, (long)Percentiles.Median(peaks.Select(p => (double)p).ToList()));
            await output.WriteLineAsync($"  {build.Name}: first response median {result.FirstResponseMedianMs:0} ms, peak RSS {result.PeakRssKilobytes / 1024.0:0.0} MB").ConfigureAwait(false);
            results.Add(result);
        }

        return (results, null);
    }

    private static async Task<(TimeSpan Elapsed, string Outcome, long PeakKilobytes, string Exit)> SampleAsync(
        string file, string[] args, IReadOnlyDictionary<string, string> environment, LocalLambdaService runtimeApi, int sample, CancellationToken cancellationToken)
    {
        var invocation = runtimeApi.Start(
            HandlerNames.Webservice, LocalGatewayEvents.Get("/cold", "cold-" + sample, DateTimeOffset.UtcNow), FirstResponseBound, cancellationToken);
        var answered = AnsweredAtAsync(invocation.Completion);
        var start = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var started = Stopwatch.GetTimestamp();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} could not be started.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var exited = process.WaitForExitAsync(cancellationToken);
        var first = await Task.WhenAny(answered, exited, Task.Delay(FirstResponseBound, cancellationToken)).ConfigureAwait(false);
        if (first != answered)
        {
            var exit = process.HasExited ? $", exit code {process.ExitCode}" : ", no answer within 30 s";
            Stop(process);
            return (TimeSpan.Zero, first == exited ? "exited" : "timed out", 0, exit);
        }

        var (at, result) = await answered.ConfigureAwait(false);
        var outcome = result.Outcome == InvocationOutcome.FunctionError ? $"{result.Outcome} {result.ErrorType}" : result.Outcome.ToString();
        var peak = PeakRssKilobytes(process.Id);
        Stop(process);
        await exited.ConfigureAwait(false);
        await PollGoneAsync(runtimeApi, cancellationToken).ConfigureAwait(false);
        return (Stopwatch.GetElapsedTime(started, at), outcome, peak, string.Empty);
    }

    // The killed process was waiting in `next` again; until the service has seen that poll's connection close, the poll
    // could take the next sample's invocation and hand it to nobody.
    private static async Task PollGoneAsync(LocalLambdaService runtimeApi, CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        while (runtimeApi.Statistics(HandlerNames.Webservice).Polling > 0 && waited.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(5, cancellationToken).ConfigureAwait(false);
        }
    }

    // The clock stops when the service has the answer, as it stopped when the answer was posted.
    private static async Task<(long Timestamp, InvocationResult Result)> AnsweredAtAsync(Task<InvocationResult> completion)
    {
        var result = await completion.ConfigureAwait(false);
        return (Stopwatch.GetTimestamp(), result);
    }

    private static long PeakRssKilobytes(int processId)
    {
        var status = $"/proc/{processId}/status";
        if (!File.Exists(status))
        {
            return 0;
        }

        var line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static void Stop(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }
    }

    /// <summary>Runs dotnet; returns null on success, else the tail of its output.</summary>
    private static async Task<string?> DotnetAsync(string[] args, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("dotnet", args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet could not be started.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (process.ExitCode == 0)
        {
            return null;
        }

        var text = await stdout.ConfigureAwait(false) + await stderr.ConfigureAwait(false);
        return string.Join('\n', text.Split('\n').TakeLast(15));
    }
}
