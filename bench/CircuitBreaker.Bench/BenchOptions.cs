using CircuitBreaker.Bench.Load;
using CircuitBreaker.Bench.Stack;
using CircuitBreaker.Contract;

namespace CircuitBreaker.Bench;

/// <summary>
/// The bench's command line. Times are scaled down from production (10 s timeout, 60 s window and open period)
/// by ten (<see cref="StackSettings.TimeScale"/>), keeping their proportions (timeout : window : open = 1 : 6 : 6), so that an outage of twenty open
/// periods fits in minutes; the cost model scales the measured per-request figures back up.
/// </summary>
internal sealed record BenchOptions
{
    public bool Quick { get; init; }

    public int Repetitions { get; init; } = 3;

    public int NoiseRepetitions { get; init; } = 3;

    public bool ColdStart { get; init; } = true;

    public bool ColdStartOnly { get; init; }

    /// <summary>Whether the BenchmarkDotNet micro-benchmarks run (all of them, or the fast-fail ones with <see cref="OpenCircuitOnly"/>).</summary>
    public bool Micro { get; init; } = true;

    /// <summary>Only the BenchmarkDotNet micro-benchmarks.</summary>
    public bool MicroOnly { get; init; }

    /// <summary>Only the open-circuit measurements (fast-fail cost and saturation), without the outage runs or the cold start.</summary>
    public bool OpenCircuitOnly { get; init; }

    public string? OutputDirectory { get; init; }

    public string? Only { get; init; }

    /// <summary>Write the report again from a saved archive of measurements instead of measuring.</summary>
    public string? RenderFrom { get; init; }

    public StackSettings Stack { get; init; } = new(
        DownstreamTimeout: TimeSpan.FromSeconds(10 * StackSettings.TimeScale),
        FailureThreshold: 3,
        Window: TimeSpan.FromSeconds(60 * StackSettings.TimeScale),
        OpenDuration: TimeSpan.FromSeconds(60 * StackSettings.TimeScale));

    /// <summary>The share of calls the noisy service fails.</summary>
    public const double NoiseFailureFraction = 0.005;

    /// <summary>
    /// The hang: twenty open periods of a dead downstream, then long enough healthy for the longest backed-off
    /// open period (8 × open, +10 % jitter) to end and a probe to succeed.
    /// </summary>
    public OutageScenario Scenario => Quick
        ? new OutageScenario(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(20), Load, DownstreamFault.Hang)
        : new OutageScenario(TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(2), TimeSpan.FromSeconds(60), Load, DownstreamFault.Hang);

    /// <summary>A healthy service failing 0.5 % of calls at random, for twelve windows (five when quick); the seed follows the repetition so that every variant of one repetition meets the same draws.</summary>
    public OutageScenario NoiseScenario(int repetition) => new(
        TimeSpan.FromSeconds(5),
        Stack.Window * (Quick ? 5 : 12),
        TimeSpan.Zero,
        Load,
        DownstreamFault.Noise(NoiseFailureFraction, seed: 1000 + repetition));

    public LoadPlan Load { get; init; } = new(RequestsPerSecond: 50, Duration: TimeSpan.Zero, Clients: 20, MaxInFlight: 400, ClientTimeout: TimeSpan.FromSeconds(10));

    /// <summary>Whether <paramref name="args"/> ask for the usage (which is then all that is printed).</summary>
    public static bool AsksForHelp(IEnumerable<string> args) => args.Any(arg => arg is "--help" or "-h" or "-?");

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            options = args[i] switch
            {
                "--quick" => options with { Quick = true, Repetitions = 1, NoiseRepetitions = 1 },
                "--repetitions" => options with { Repetitions = Count(args, ++i) },
                "--noise-repetitions" => options with { NoiseRepetitions = Count(args, ++i) },
                "--no-cold-start" => options with { ColdStart = false },
                "--cold-start-only" => options with { ColdStartOnly = true, ColdStart = true, OpenCircuitOnly = false, MicroOnly = false, Micro = false },
                "--open-circuit-only" => options with { OpenCircuitOnly = true, ColdStart = false, ColdStartOnly = false, MicroOnly = false, Micro = true },
                "--micro-only" => options with { MicroOnly = true, Micro = true, ColdStart = false, ColdStartOnly = false, OpenCircuitOnly = false },
                "--no-micro" => options with { Micro = false, MicroOnly = false },
                "--out" => options with { OutputDirectory = Value(args, ++i) },
                "--only" => options with { Only = Value(args, ++i) },
                "--render-from" => options with { RenderFrom = Value(args, ++i) },
                _ => throw new ArgumentException($"Unknown option '{args[i]}'.\n{Usage}"),
            };
        }

        return options;
    }

    private static int Count(string[] args, int i) =>
        SettingValues.TryWholeNumber(Value(args, i), 1, int.MaxValue, out var n)
            ? n
            : throw new ArgumentException($"{args[i - 1]} needs a whole number of at least 1.\n{Usage}");

    private static string Value(string[] args, int i) =>
        i < args.Length ? args[i] : throw new ArgumentException($"{args[i - 1]} needs a value.\n{Usage}");

    public const string Usage = """
        dotnet run -c Release --project bench/CircuitBreaker.Bench -- [--quick] [--repetitions N] [--noise-repetitions N] [--no-cold-start | --cold-start-only | --open-circuit-only | --micro-only] [--no-micro] [--out DIR] [--only VARIANT] [--help]
          --quick          30 s hang, 30 s noise, 1 repetition each (about 12 minutes in all)
          --repetitions N  hang runs per variant (default 3; medians are reported)
          --noise-repetitions N  noisy-service runs per variant (default 3)
          --no-cold-start  skip the Native AOT / JIT cold-start measurement (it publishes the functions)
          --cold-start-only  only the cold-start measurement
          --open-circuit-only  only the fast-fail cost and the open-circuit throughput (baseline and ours-count, about 5 minutes)
          --micro-only     only the micro-benchmarks on BenchmarkDotNet (fast-fail handler, Polly overhead, metrics, route
                           matching, header work; about 3 minutes)
          --no-micro       skip the micro-benchmarks
          --out DIR        where performance.md and the timelines go (default: docs/ of the repository)
          --render-from FILE  write the report again from the measurements a run saved (its last line names the file)
          --only VARIANT   one variant: baseline, ours-count, ours-slow, ours-backoff, ours-slow-backoff or ours-ratio
          --help           this text
        Also: `-- polly-overhead` and `-- metrics-overhead`, one micro-benchmark suite alone, printed and not written to
        the report; `-- stale-writes [SECONDS]`, the table writes of whenOpen stale for one GET at 50 req/s (default
        120 s), printed. The micro-benchmarks run on BenchmarkDotNet, in this process, so always with -c Release. A fresh clone needs nothing more:
        the bench installs dynalite (npm ci) as the local host does.
        """;
}
