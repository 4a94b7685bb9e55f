using Microsoft.Extensions.Hosting;

namespace CircuitBreaker.Local.Hosting;

/// <summary>
/// A host lifetime that listens to no signal. The default one stops a server on SIGINT and SIGTERM by itself, so on
/// Ctrl+C every local server would stop at once, in no order: the Lambda service would cut its runtimes' long-polls
/// while they still run, the simulator would vanish under requests in flight. The local host stops its servers
/// itself, in order (see <c>LocalSystem</c>).
/// </summary>
internal sealed class StoppedByOwnerLifetime : IHostLifetime
{
    /// <inheritdoc />
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
