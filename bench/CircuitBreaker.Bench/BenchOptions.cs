using System.Globalization;
using CircuitBreaker.Bench.Load;
using CircuitBreaker.Bench.Stack;

namespace CircuitBreaker.Bench;

/// <summary>
/// The bench's command line. Times are scaled down from production (10 s timeout, 60 s window and open period)
/// so that an outage fits in minutes; the cost model scales the measured per-request figures back up.
/// </summary>
internal sealed record BenchOptions
{
    public bool Quick { get; init; }

    public int Repetitions { get; init; } = 3;

    public bool ColdStart { get; init; } = true;

    public bool ColdStartOnly { get; init; }

    public string? OutputDirectory { get; init; }

    public string? Only { get; init; }

    /// <summary>Where the outage runs: "local" (the local host's servers and runtime loop) or "in-process".</summary>
    public string StackKind { get; init; } = "local";

    public StackSettings Stack { get; init; } = new(
        DownstreamTimeout: TimeSpan.FromSeconds(0.5),
        FailureThreshold: 3,
        Window: TimeSpan.FromSeconds(6),
        OpenDuration: TimeSpan.FromSeconds(6),
        EventDeliveryDelay: TimeSpan.FromMilliseconds(100),
        RedeliveryFraction: 0.0);

    public OutageScenario Scenario => Quick
        ? new OutageScenario(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(10), Load)
        : new OutageScenario(TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(2), TimeSpan.FromSeconds(30), Load);

    public LoadPlan Load { get; init; } = new(RequestsPerSecond: 50, Duration: TimeSpan.Zero, Clients: 20, MaxInFlight: 400, ClientTimeout: TimeSpan.FromSeconds(10));

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            options = args[i] switch
            {
                "--quick" => options with { Quick = true, Repetitions = 1 },
                "--repetitions" => options with { Repetitions = int.Parse(args[++i], CultureInfo.InvariantCulture) },
                "--no-cold-start" => options with { ColdStart = false },
                "--cold-start-only" => options with { ColdStartOnly = true, ColdStart = true },
                "--out" => options with { OutputDirectory = args[++i] },
                "--only" => options with { Only = args[++i] },
                "--stack" => options with { StackKind = args[++i] is "local" or "in-process" ? args[i] : throw new ArgumentException($"--stack is 'local' or 'in-process', not '{args[i]}'.\n{Usage}") },
                "--help" or "-h" => throw new ArgumentException(Usage),
                _ => throw new ArgumentException($"Unknown option '{args[i]}'.\n{Usage}"),
            };
        }

        return options;
    }

    public const string Usage = """
        dotnet run -c Release --project bench/CircuitBreaker.Bench -- [--quick] [--repetitions N] [--no-cold-start | --cold-start-only] [--stack local|in-process] [--out DIR] [--only ours|baseline]
          --quick          30 s outage, 10 s recovery, 1 repetition (about 3 minutes in all)
          --repetitions N  outage runs per variant (default 3; medians are reported)
          --no-cold-start  skip the Native AOT / JIT cold-start measurement (it publishes the functions)
          --cold-start-only  only the cold-start measurement
          --stack KIND     outage runs on the local host's stack ("local", default) or the bench's in-process one ("in-process")
          --out DIR        where performance.md and outage-timeline.svg go (default: docs/ of the repository)
        """;
}
