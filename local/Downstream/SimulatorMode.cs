namespace CircuitBreaker.Local.Downstream;

/// <summary>How the downstream simulator answers the calls it receives.</summary>
internal enum SimulatorMode
{
    /// <summary>Never answers; the call ends when the caller gives up.</summary>
    Hang,

    /// <summary>Answers 500 with a small body.</summary>
    Fail,

    /// <summary>Answers 200 with a small JSON body.</summary>
    Ok,

    /// <summary>Alternates per call: the first call after switching to flap answers ok, the next fails, and so on.</summary>
    Flap,
}

/// <summary>The modes' names as the command line and <c>PUT /mode</c> spell them.</summary>
internal static class SimulatorModeNames
{
    /// <summary>Every mode name, for messages.</summary>
    public const string Expected = "hang, fail, ok or flap";

    /// <summary>Reads a mode name (case-insensitive, surrounding white space ignored).</summary>
    public static bool TryParse(string? text, out SimulatorMode mode)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "hang": mode = SimulatorMode.Hang; return true;
            case "fail": mode = SimulatorMode.Fail; return true;
            case "ok": mode = SimulatorMode.Ok; return true;
            case "flap": mode = SimulatorMode.Flap; return true;
            default: mode = default; return false;
        }
    }

    /// <summary>The mode's name as <see cref="TryParse"/> reads it.</summary>
    public static string Name(SimulatorMode mode) => mode switch
    {
        SimulatorMode.Hang => "hang",
        SimulatorMode.Fail => "fail",
        SimulatorMode.Ok => "ok",
        SimulatorMode.Flap => "flap",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
    };
}
