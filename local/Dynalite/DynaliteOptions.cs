namespace CircuitBreaker.Local.Dynalite;

/// <summary>Where dynalite and node are, and how long dynalite may take to start.</summary>
internal sealed record DynaliteOptions
{
    /// <summary>The <c>node_modules</c> folder that <c>npm ci</c> filled from the repository's package.json.</summary>
    public required string NodeModulesDirectory { get; init; }

    /// <summary>The node executable: a path, or a name looked up on PATH.</summary>
    public string NodeExecutable { get; init; } = "node";

    /// <summary>Loopback port to listen on; 0 lets the system pick a free one.</summary>
    public int Port { get; init; }

    /// <summary>How long dynalite may take to start listening before starting fails.</summary>
    public TimeSpan StartupTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Options for the dynalite that <c>npm ci</c> installed in <paramref name="repositoryRoot"/>.</summary>
    public static DynaliteOptions ForRepository(string repositoryRoot) =>
        new() { NodeModulesDirectory = Path.Combine(repositoryRoot, "node_modules") };
}
