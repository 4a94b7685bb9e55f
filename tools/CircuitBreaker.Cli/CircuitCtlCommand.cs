using System.CommandLine;
using Amazon.Runtime;
using CircuitBreaker.Aws.Configuration;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Breaker;
using CircuitBreaker.Core.Configuration;
using CircuitBreaker.Core.Events;
using CircuitBreaker.Core.Store;

namespace CircuitBreaker.Cli;

/// <summary>
/// circuitctl's command: parses, talks to the circuit table with the caller's credentials, publishes the
/// state change of an action, and answers with an exit code. Every failure is one line on the error writer.
/// A circuit the table holds no item of is acted on only with --create.
/// </summary>
internal static class CircuitCtlCommand
{
    /// <summary>Done.</summary>
    public const int Succeeded = 0;

    /// <summary>The action could not be done: table or circuit not found, DynamoDB unreachable, too slow or not DynamoDB, an AWS error.</summary>
    public const int Failed = 1;

    /// <summary>The command line is wrong; nothing was done.</summary>
    public const int UsageError = 2;

    /// <summary>The operator pressed Ctrl+C (SIGINT); 128 + 2, as shells report it.</summary>
    public const int Interrupted = 130;

    /// <summary>Runs one command.</summary>
    /// <param name="args">The command line.</param>
    /// <param name="output">What the command reports.</param>
    /// <param name="error">Problems, one line each.</param>
    /// <param name="environment">The process environment (region and endpoint defaults, credentials).</param>
    /// <param name="time">The clock.</param>
    /// <param name="cancellationToken">Ctrl+C: stops the command, which then exits with <see cref="Interrupted"/>.</param>
    public static async Task<int> RunAsync(
        IReadOnlyList<string> args, TextWriter output, TextWriter error, Func<string, string?> environment, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var parsed = new CircuitCtlCommandLine(environment).Parse(args);
        if (parsed.Informational is { } informational)
        {
            return await informational.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken).ConfigureAwait(false);
        }

        if (parsed.Options is not { } options)
        {
            await error.WriteLineAsync($"circuitctl: {parsed.Error}").ConfigureAwait(false);
            return UsageError;
        }

        try
        {
            using var table = new CircuitTableSession(options, CredentialsFor(options.EndpointUrl, environment), time, cancellationToken);
            return await RunAsync(table, options, output, error, environment, time, cancellationToken).ConfigureAwait(false);
        }
        catch (CircuitCtlException e)
        {
            await error.WriteLineAsync($"circuitctl: {e.Message}").ConfigureAwait(false);
            return e.ExitCode;
        }
    }

    private static async Task<int> RunAsync(
        CircuitTableSession table, CircuitCtlOptions options, TextWriter output, TextWriter error, Func<string, string?> environment, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var serviceId = options.ServiceId;
        if (serviceId is null)
        {
            var services = await table.ListServicesAsync().ConfigureAwait(false);
            if (services.Count == 0 && options.Action == CircuitCtlAction.Status)
            {
                // An empty table is an answer: no circuit has ever failed or been changed, so all are closed.
                await output.WriteLineAsync($"table '{options.Table}' holds no circuit yet: every circuit is closed with no failures").ConfigureAwait(false);
                return Succeeded;
            }

            if (services.Count > 1 && options.Action == CircuitCtlAction.Status)
            {
                // A stack with routes has a circuit per route: status shows them all, one block each.
                for (var i = 0; i < services.Count; i++)
                {
                    if (i > 0)
                    {
                        await output.WriteLineAsync().ConfigureAwait(false);
                    }

                    await StatusAsync(table, services[i], options, output, time).ConfigureAwait(false);
                }

                return Succeeded;
            }

            if (services.Count == 0)
            {
                throw new CircuitCtlException(Failed, $"table '{options.Table}' holds no circuit yet; name one with --service, and --create to {Verb(options)} it all the same");
            }

            if (services.Count > 1)
            {
                throw new CircuitCtlException(UsageError, $"table '{options.Table}' holds {services.Count} circuits ({string.Join(", ", services)}); choose one with --service");
            }

            serviceId = services[0];
        }
        else if (options.Action is CircuitCtlAction.Isolate or CircuitCtlAction.Close && !options.Create && !await table.ExistsAsync(serviceId).ConfigureAwait(false))
        {
            // Acting on a circuit the table knows nothing of is most often a typo, and would leave a phantom circuit behind.
            var services = await table.ListServicesAsync().ConfigureAwait(false);
            var holds = services.Count == 0 ? "holds no circuit yet" : $"holds {string.Join(", ", services)}";
            throw new CircuitCtlException(Failed, $"no circuit '{serviceId}' in table '{options.Table}', which {holds}; add --create to {Verb(options)} it all the same");
        }

        return options.Action switch
        {
            CircuitCtlAction.Status => await StatusAsync(table, serviceId, options, output, time).ConfigureAwait(false),
            CircuitCtlAction.Isolate => await IsolateAsync(table, serviceId, options, output, error, environment, time, cancellationToken).ConfigureAwait(false),
            CircuitCtlAction.DeferredList => await ListDeferredAsync(table, serviceId, output).ConfigureAwait(false),
            CircuitCtlAction.DeferredReplay => await ReplayDeferredAsync(table, serviceId, options, output, environment, time, cancellationToken).ConfigureAwait(false),
            CircuitCtlAction.DeferredDrop => await DropDeferredAsync(table, serviceId, options, output).ConfigureAwait(false),
            _ => await CloseAsync(table, serviceId, options, output, error, environment, time, cancellationToken).ConfigureAwait(false),
        };
    }

    private static async Task<int> StatusAsync(CircuitTableSession table, string serviceId, CircuitCtlOptions options, TextWriter output, TimeProvider time)
    {
        var record = await table.GetAsync(serviceId).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var since = now - options.Window;
        if (record.ClosedAt > since)
        {
            since = record.ClosedAt.Value;
        }

        // Counted as the recorder counts: failures dated past now (plus skew) were stored by an older recorder and do not count.
        var failures = await table.CountFailuresAsync(serviceId, since, now + FailureTime.ClockSkewAllowance).ConfigureAwait(false);
        foreach (var line in CircuitStatusReport.Lines(record, failures, since, now))
        {
            await output.WriteLineAsync(line).ConfigureAwait(false);
        }

        return Succeeded;
    }

    private static async Task<int> IsolateAsync(
        CircuitTableSession table, string serviceId, CircuitCtlOptions options, TextWriter output, TextWriter error,
        Func<string, string?> environment, TimeProvider time, CancellationToken cancellationToken)
    {
        var before = await table.IsolateAsync(serviceId).ConfigureAwait(false);
        if (before is null)
        {
            await output.WriteLineAsync($"{serviceId} is already isolated; nothing changed").ConfigureAwait(false);
            return Succeeded;
        }

        var from = before.Status.ToView();
        await output.WriteLineAsync($"{serviceId} isolated (was {from.Name()}): requests fail fast until 'circuitctl close'").ConfigureAwait(false);
        await PublishAsync(serviceId, from, CircuitView.Isolated, Reason("isolated by an operator", options.Reason), options, output, error, environment, time, cancellationToken)
            .ConfigureAwait(false);
        return Succeeded;
    }

    private static async Task<int> CloseAsync(
        CircuitTableSession table, string serviceId, CircuitCtlOptions options, TextWriter output, TextWriter error,
        Func<string, string?> environment, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var before = await table.ForceCloseAsync(serviceId, now).ConfigureAwait(false);
        var from = before.Status.ToView();
        await output.WriteLineAsync($"{serviceId} closed (was {from.Name()}); failures before now no longer count").ConfigureAwait(false);
        if (before.Status == CircuitStatus.Closed)
        {
            // A reset of a closed circuit is not a transition: the bus's subscribers hear of none.
            await output.WriteLineAsync("it was closed already: no state change to publish").ConfigureAwait(false);
            return Succeeded;
        }

        var reason = before.Status == CircuitStatus.Isolated ? "released by an operator" : "closed by an operator";
        await PublishAsync(serviceId, from, CircuitView.Closed, Reason(reason, options.Reason), options, output, error, environment, time, cancellationToken)
            .ConfigureAwait(false);
        return Succeeded;
    }

    private static async Task<int> ListDeferredAsync(CircuitTableSession table, string serviceId, TextWriter output)
    {
        var deferred = await table.ListDeferredAsync(serviceId).ConfigureAwait(false);
        if (deferred.Count == 0)
        {
            await output.WriteLineAsync($"{serviceId} has no deferred request").ConfigureAwait(false);
            return Succeeded;
        }

        foreach (var request in deferred)
        {
            var attempts = request.Attempts == 0 ? "not tried yet" : $"{request.Attempts} failed attempt{(request.Attempts == 1 ? string.Empty : "s")} (last: {OneLine(request.LastError ?? "?")})";
            var claimed = request.ClaimedUntil is { } until ? $", held by a replayer until {until:yyyy-MM-ddTHH:mm:ssZ}" : string.Empty;
            await output.WriteLineAsync(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{request.Id}  {request.ArrivedAt:yyyy-MM-ddTHH:mm:ss.fffZ}  {request.Method} {request.PathAndQuery}  {request.Body?.Length ?? 0} bytes  {attempts}{claimed}")).ConfigureAwait(false);
        }

        await output.WriteLineAsync($"{deferred.Count} deferred request{(deferred.Count == 1 ? string.Empty : "s")} of {serviceId}, oldest first").ConfigureAwait(false);
        return Succeeded;
    }

    private static async Task<int> ReplayDeferredAsync(
        CircuitTableSession table, string serviceId, CircuitCtlOptions options, TextWriter output, Func<string, string?> environment, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var deferred = await table.ListDeferredAsync(serviceId).ConfigureAwait(false);
        if (deferred.Count == 0)
        {
            await output.WriteLineAsync($"{serviceId} has no deferred request: nothing to replay").ConfigureAwait(false);
            return Succeeded;
        }

        var bus = options.EventBusName!;
        var endpoint = options.EventsEndpointUrl ?? new Uri($"https://events.{options.Region}.amazonaws.com/");
        using var notifier = new StateChangeNotifier(bus, endpoint, options.Region, CredentialsFromEnvironment.Resolver(CredentialsFor(endpoint, environment)), time);
        var detail = new DeferredReplayDetail(serviceId, CircuitStateNames.Closed, Reason("replay asked for by an operator", options.Reason), "circuitctl-" + Guid.NewGuid().ToString("N"));
        var problem = await notifier.PublishReplayRequestAsync(detail, options.Timeout, cancellationToken).ConfigureAwait(false);
        if (problem is not null)
        {
            throw new CircuitCtlException(
                cancellationToken.IsCancellationRequested ? Interrupted : Failed,
                $"the replay request was not published on bus {bus}: {OneLine(problem)}");
        }

        await output.WriteLineAsync(
            $"published '{DeferredReplays.DetailType}' for {serviceId} on bus {bus}: the replayer sends its {deferred.Count} deferred request{(deferred.Count == 1 ? string.Empty : "s")} "
            + "through the breaker (an open circuit stops it)").ConfigureAwait(false);
        return Succeeded;
    }

    private static async Task<int> DropDeferredAsync(CircuitTableSession table, string serviceId, CircuitCtlOptions options, TextWriter output)
    {
        var deferred = await table.ListDeferredAsync(serviceId).ConfigureAwait(false);
        var chosen = options.AllDeferred ? deferred : deferred.Where(request => request.Id == options.DeferredId).ToList();
        if (!options.AllDeferred && chosen.Count == 0)
        {
            throw new CircuitCtlException(Failed, $"no deferred request '{options.DeferredId}' of {serviceId} (circuitctl deferred list shows them)");
        }

        var dropped = 0;
        foreach (var request in chosen)
        {
            if (await table.DropDeferredAsync(request).ConfigureAwait(false))
            {
                dropped++;
            }
        }

        await output.WriteLineAsync($"dropped {dropped} deferred request{(dropped == 1 ? string.Empty : "s")} of {serviceId}").ConfigureAwait(false);
        return Succeeded;
    }

    // The action is done either way: a lost event is reported, not a failure of the command.
    private static async Task PublishAsync(
        string serviceId, CircuitView from, CircuitView to, string reason, CircuitCtlOptions options, TextWriter output, TextWriter error,
        Func<string, string?> environment, TimeProvider time, CancellationToken cancellationToken)
    {
        if (options.EventBusName is not { } bus)
        {
            await output.WriteLineAsync("no --event-bus-name given: the state change was not published").ConfigureAwait(false);
            return;
        }

        var endpoint = options.EventsEndpointUrl ?? new Uri($"https://events.{options.Region}.amazonaws.com/");
        using var notifier = new StateChangeNotifier(bus, endpoint, options.Region, CredentialsFromEnvironment.Resolver(CredentialsFor(endpoint, environment)), time);
        var detail = new CircuitStateChangeDetail(serviceId, from.Name(), to.Name(), reason, time.GetUtcNow(), null, "circuitctl-" + Guid.NewGuid().ToString("N"));
        var problem = await notifier.PublishAsync(detail, options.Timeout, cancellationToken).ConfigureAwait(false);
        if (problem is not null && cancellationToken.IsCancellationRequested)
        {
            throw new CircuitCtlException(Interrupted, $"interrupted: the state change was done but its event was not published on bus {bus}");
        }

        if (problem is null)
        {
            await output.WriteLineAsync($"published '{StateChangeEvents.DetailType}' ({from.Name()} -> {to.Name()}) on bus {bus}").ConfigureAwait(false);
        }
        else
        {
            await error.WriteLineAsync($"circuitctl: the state change was done but its event was not published on bus {bus}: {OneLine(problem)}").ConfigureAwait(false);
        }
    }

    // Local servers ignore signatures, and a developer running the local host may have no AWS credentials at all.
    private static AWSCredentials? CredentialsFor(Uri? endpoint, Func<string, string?> environment) =>
        endpoint is { IsLoopback: true }
            ? CredentialsFromEnvironment.Explicit(environment) ?? new BasicAWSCredentials("local", "local")
            : CredentialsFromEnvironment.Explicit(environment);

    private static string Verb(CircuitCtlOptions options) => options.Action switch
    {
        CircuitCtlAction.Isolate => "isolate",
        CircuitCtlAction.Close => "close",
        _ => "act on",
    };

    private static string Reason(string what, string? why) => string.IsNullOrWhiteSpace(why) ? what : $"{what}: {why.Trim()}";

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}
