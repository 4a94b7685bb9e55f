using System.Globalization;
using System.Text.RegularExpressions;
using CircuitBreaker.Tests.Support;

namespace CircuitBreaker.Tests.Bench;

/// <summary>
/// <c>-- stale-writes</c> on the local host, short: within one refresh period each webservice instance stores the busy
/// GET's answer once, whatever the number of requests.
/// </summary>
[Collection(WholeSystemTests.Name)]
public sealed partial class StaleWritesBenchTests
{
    [GeneratedRegex(@"(?<requests>\d+) requests .* (?<instances>\d+) webservice instance\(s\), \d+ throttled writes, (?<writes>\d+) stored answers \(UpdateItem\)")]
    private static partial Regex Summary();

    [Fact]
    public async Task ABusyGetIsStoredAtMostOncePerInstanceWithinTheRefreshPeriod()
    {
        using var output = new StringWriter();

        var exit = await CircuitBreaker.Bench.Program.RunAsync(["stale-writes", "4"], output, TestContext.Current.CancellationToken);

        Assert.Equal(0, exit);
        var match = Summary().Match(output.ToString());
        Assert.True(match.Success, output.ToString());
        int Number(string name) => int.Parse(match.Groups[name].Value, CultureInfo.InvariantCulture);
        Assert.Equal(200, Number("requests"));
        Assert.InRange(Number("writes"), 1, Number("instances"));
    }
}
