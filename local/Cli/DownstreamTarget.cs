using CircuitBreaker.Local.Downstream;

namespace CircuitBreaker.Local.Cli;

/// <summary>Where the webservice's calls go: a real URL, or the built-in simulator in a starting mode.</summary>
/// <param name="Url">The downstream's URL when not simulated.</param>
/// <param name="SimulatorMode">The simulator's starting mode when simulated.</param>
internal sealed record DownstreamTarget(Uri? Url, SimulatorMode? SimulatorMode)
{
    /// <summary>True when the host must start the simulator.</summary>
    public bool IsSimulated => SimulatorMode is not null;

    /// <summary>The simulator in <paramref name="mode"/>.</summary>
    public static DownstreamTarget Simulate(SimulatorMode mode) => new(null, mode);

    /// <summary>A real downstream.</summary>
    public static DownstreamTarget At(Uri url) => new(url, null);

    /// <summary>How the option spells it.</summary>
    public override string ToString() =>
        SimulatorMode is { } mode ? $"simulate:{SimulatorModeNames.Name(mode)}" : Url!.AbsoluteUri;
}
