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

    /// <summary>The variants to run (<c>--only</c>, comma-separated names); null runs every one.</summary>
    public string? Only { get; init; }

    /// <summary>Whether <c>--only</c> lets the variant named <paramref name="name"/> run.</summary>
    public bool Runs(string name) =>
        Only is null || Only.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Contains(name, StringComparer.Ordinal);

    /// <summary>Only the hang runs (no noise, open-circuit, cold-start or micro measurements).</summary>
    public bool HangOnly { get; init; }

    /// <summary>
    /// When set, each of ours' variants runs once per value of <c>closedStateMaxAgeSeconds</c>, side by side in one run (0 reads
    /// the state for every request, as before the setting); null runs them with the setting's default.
    /// </summary>
    public IReadOnlyList<TimeSpan>? ClosedStateMaxAges { get; init; }

    /// <summary>Only the closed circuit's measurements: reads per request, the hot circuit, the fast-failing downstream.</summary>
    public bool ClosedCircuitOnly { get; init; }

    /// <summary>Warm instances of the reads-per-request runs.</summary>
    public IReadOnlyList<int> ClosedInstances { get; init; } = [1, 5, 20];

    /// <summary>Request rates (per second, the fleet's) of the reads-per-request runs.</summary>
    public IReadOnlyList<double> ClosedRates { get; init; } = [50, 500];

    /// <summary>How long each closed-circuit run drives its fleet.</summary>
    public TimeSpan ClosedDuration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The hot circuit's per-item read limit (units per second); it is driven at ten times that. Default: DynamoDB's, scaled.</summary>
    public double HotReadLimit { get; init; } = StackSettings.ScaledItemLimits.ReadUnitsPerSecond;

    /// <summary>Warm instances of the hot circuit.</summary>
    public int HotInstances { get; init; } = 20;

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
                "--hang-only" => options with { HangOnly = true, ColdStart = false, Micro = false, MicroOnly = false, OpenCircuitOnly = false },
                "--closed-state-max-ages" => options with { ClosedStateMaxAges = [.. Numbers(args, ++i, 0).Select(TimeSpan.FromSeconds)] },
                "--event-delivery-latency" => options with { Stack = options.Stack with { EventDeliveryLatency = TimeSpan.FromSeconds(Numbers(args, ++i, 0).Single()) } },
                "--closed-circuit-only" => options with { ClosedCircuitOnly = true, ColdStart = false, Micro = false, MicroOnly = false, OpenCircuitOnly = false },
                "--closed-instances" => options with { ClosedInstances = [.. Numbers(args, ++i, 1).Select(n => (int)n)] },
                "--closed-rates" => options with { ClosedRates = Numbers(args, ++i, 1) },
                "--closed-seconds" => options with { ClosedDuration = TimeSpan.FromSeconds(Numbers(args, ++i, 1).Single()) },
                "--hot-read-limit" => options with { HotReadLimit = Numbers(args, ++i, 1).Single() },
                "--hot-instances" => options with { HotInstances = (int)Numbers(args, ++i, 1).Single() },
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

    // One number or several separated by commas, each at least minimum.
    private static List<double> Numbers(string[] args, int i, double minimum)
    {
        var raw = Value(args, i);
        var numbers = new List<double>();
        foreach (var part in raw.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!SettingValues.TryFiniteNumber(part, out var n) || n < minimum)
            {
                throw new ArgumentException($"{args[i - 1]} needs numbers of at least {minimum} separated by commas, not '{raw}'.\n{Usage}");
            }

            numbers.Add(n);
        }

        return numbers;
    }

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
          --only VARIANTS  these variants only, separated by commas: baseline, ours-count, ours-slow, ours-backoff,
                           ours-slow-backoff, ours-ratio
          --hang-only      only the hang runs (no noise, open circuit, cold start or micro-benchmarks)
          --closed-state-max-ages S,S  run each of ours' variants once per closedStateMaxAgeSeconds value, side by side
                           (0 reads the state for every request, the behaviour before the setting); also the closed-circuit
                           runs' ages (default there 0,1)
          --event-delivery-latency S  the local EventBridge holds each event S seconds before delivering it (0.13: AWS's
                           published P99 for event buses, docs/design.md)
          --closed-circuit-only  only the closed circuit's runs, printed as markdown: DynamoDB reads per request on warm
                           instances at each rate (fast downstream), one circuit at 10x its item's read limit (through the
                           limits proxy), and a fast-failing downstream's calls after the circuit opened (about 5 minutes)
          --closed-instances N,N  warm instances of the reads-per-request runs (default 1,5,20)
          --closed-rates R,R  the fleet's requests per second in those runs (default 50,500)
          --closed-seconds S  how long each closed-circuit run drives its fleet (default 10)
          --hot-read-limit N  the hot circuit's read units per second per item (default DynamoDB's 3,000 scaled by the
                           bench's 0.1: 300); it is driven at 10x that
          --hot-instances N  warm instances driving the hot circuit (default 20)
          --help           this text
        Also: `-- polly-overhead` and `-- metrics-overhead`, one micro-benchmark suite alone, printed and not written to
        the report; `-- stale-writes [SECONDS]`, the table writes of whenOpen stale for one GET at 50 req/s (default
        120 s), printed. The micro-benchmarks run on BenchmarkDotNet, in this process, so always with -c Release. A fresh clone needs nothing more:
        the bench installs dynalite (npm ci) as the local host does.
        """;
}
