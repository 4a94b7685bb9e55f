namespace CircuitBreaker.Tests.Support;

/// <summary>
/// Tests that run whole systems (the local host in-process or as a process, with dynalite and real sockets)
/// and check timing-dependent guarantees such as a single probe among 50 concurrent requests. They run on
/// their own, after the parallel tests, so that other tests cannot starve them of the 2 cores they share.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class WholeSystemTests
{
    /// <summary>The collection's name.</summary>
    public const string Name = "end-to-end";
}
