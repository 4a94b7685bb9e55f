namespace CircuitBreaker.Local.Dynalite;

/// <summary>
/// The script node runs (<c>node -e</c>) to serve dynalite: argv[1] is dynalite's package folder, argv[2] the port.
/// It prints <see cref="ListeningMarker"/> and the bound port once listening, and exits when its standard input
/// ends. The parent keeps that pipe open for as long as it lives, and the kernel closes it however the parent
/// dies, so dynalite never outlives its host (no orphans on a crash or SIGKILL, on any OS node runs on).
/// SIGINT and SIGTERM are ignored: a terminal's Ctrl+C (or a group-wide kill) reaches every process of the group at
/// once, and dynalite dying at the host's own moment of stopping would look like a crash to repair. The host stops
/// dynalite itself, by closing that pipe, once nothing uses it any more.
/// </summary>
internal static class DynaliteLauncherScript
{
    /// <summary>Printed on standard output, followed by a space and the port, once the server listens.</summary>
    public const string ListeningMarker = "DYNALITE_LISTENING";

    /// <summary>The JavaScript source.</summary>
    public const string Source = $$"""
        'use strict';
        const dynalite = require(process.argv[1]);
        const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
        const quit = (code) => () => process.exit(code);
        server.on('error', (e) => { process.stderr.write('dynalite: ' + e.message + '\n'); process.exit(2); });
        server.listen(Number(process.argv[2]), '127.0.0.1', () => {
          process.stdout.write('{{ListeningMarker}} ' + server.address().port + '\n');
        });
        process.stdin.on('end', quit(0));
        process.stdin.on('close', quit(0));
        process.stdin.on('error', quit(0));
        process.stdin.resume();
        process.on('SIGINT', () => {});
        process.on('SIGTERM', () => {});
        """;
}
