using System.Text.RegularExpressions;

namespace CircuitBreaker.Tests.Local.HostProcess;

/// <summary>
/// Ctrl+C on the real local host: the whole process group gets SIGINT at once (node too), and every time the host must
/// end with 0 or 130, quietly (no stack trace, no warning), leaving nothing running and no request hanging.
/// </summary>
[Collection(CircuitBreaker.Tests.Support.WholeSystemTests.Name)]
public sealed partial class LocalHostShutdownTests
{
    // The fault showed up in about half of the tries; a few tries per run keep the test bounded (about 6 s each).
    private const int Tries = 4;

    private static readonly TimeSpan StartBound = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan ExitBound = TimeSpan.FromSeconds(30);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CtrlCToTheProcessGroupEndsEverythingQuietlyEveryTime()
    {
        if (!LocalHostProcess.Supported)
        {
            Assert.Skip("Needs Linux with setsid and /proc to run the host in its own process group.");
        }

        for (var attempt = 1; attempt <= Tries; attempt++)
        {
            using var host = LocalHostProcess.Start(
                "--port", "0", "--downstream", "simulate:hang", "--timeout-seconds", "1", "--failure-threshold", "100");
            await host.Ready.WaitAsync(StartBound, Token);
            using var client = new HttpClient { BaseAddress = await host.ApiAddress, Timeout = TimeSpan.FromSeconds(30) };

            // Several live instances of both functions: three concurrent failures, each put on the bus for the recorder.
            await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => client.GetAsync("/warm", Token)));
            var inFlight = Enumerable.Range(0, 2).Select(_ => AnsweredOrClosedAsync(client)).ToArray();
            await Task.Delay(200, Token);

            host.SignalGroup("INT");

            var exitCode = await host.WaitForExitAsync(ExitBound);
            var context = $"try {attempt}; stdout:\n{host.Output}\nstderr:\n{host.Error}";
            Assert.True(exitCode is 0 or 130, $"exit code {exitCode?.ToString() ?? "(still running)"}; {context}");
            Assert.True(await Task.WhenAll(inFlight).WaitAsync(TimeSpan.FromSeconds(10), Token) is { } ended && ended.All(done => done), context);
            var everything = host.Output + "\n" + host.Error;
            Assert.False(StackFrame().IsMatch(everything), "a stack trace: " + context);
            Assert.False(everything.Contains("Unhandled exception", StringComparison.Ordinal), context);
            Assert.False(everything.Contains("restarting it", StringComparison.Ordinal), "dynalite restarted: " + context);
            Assert.False(WarningOrError().IsMatch(everything), "a warning or error: " + context);
            Assert.Empty(await LeftAfterAWhileAsync(host));
        }
    }

    [Fact]
    public async Task SigtermToTheProcessGroupAlsoEndsEverythingQuietly()
    {
        if (!LocalHostProcess.Supported)
        {
            Assert.Skip("Needs Linux with setsid and /proc to run the host in its own process group.");
        }

        using var host = LocalHostProcess.Start("--port", "0", "--downstream", "simulate:ok");
        await host.Ready.WaitAsync(StartBound, Token);

        host.SignalGroup("TERM");

        var exitCode = await host.WaitForExitAsync(ExitBound);
        Assert.True(exitCode is 0 or 143, $"exit code {exitCode}; stdout:\n{host.Output}\nstderr:\n{host.Error}");
        Assert.DoesNotMatch(StackFrame(), host.Output + host.Error);
        Assert.Empty(await LeftAfterAWhileAsync(host));
    }

    // A request caught by the stop gets an answer (API Gateway's 503, say) or a closed connection; it never hangs.
    private static async Task<bool> AnsweredOrClosedAsync(HttpClient client)
    {
        try
        {
            using var response = await client.GetAsync("/in-flight", Token);
            await response.Content.ReadAsByteArrayAsync(Token);
            return true;
        }
        catch (HttpRequestException)
        {
            return true;
        }
    }

    // The host waits for node before it exits; the poll only absorbs the kernel reaping it.
    private static async Task<IReadOnlyList<int>> LeftAfterAWhileAsync(LocalHostProcess host)
    {
        var until = DateTime.UtcNow.AddSeconds(5);
        var left = host.ProcessesLeftInGroup();
        while (left.Count > 0 && DateTime.UtcNow < until)
        {
            await Task.Delay(100, Token);
            left = host.ProcessesLeftInGroup();
        }

        return left;
    }

    [GeneratedRegex(@"^\s+at \S+", RegexOptions.Multiline)]
    private static partial Regex StackFrame();

    [GeneratedRegex(@"\b(WARN|ERROR)\b")]
    private static partial Regex WarningOrError();
}
