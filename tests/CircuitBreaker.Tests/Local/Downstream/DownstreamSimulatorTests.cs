using System.Net;
using System.Text;
using System.Text.Json;
using CircuitBreaker.Local.Downstream;

namespace CircuitBreaker.Tests.Local.Downstream;

public sealed class DownstreamSimulatorTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task OkAnswersJson()
    {
        await using var simulator = await DownstreamSimulator.StartAsync(SimulatorMode.Ok, 0, Token);
        using var client = new HttpClient { BaseAddress = simulator.BaseAddress };

        using var response = await client.GetAsync("/anything", Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Token));
        Assert.True(body.RootElement.GetProperty("ok").GetBoolean());
    }

    [Fact]
    public async Task FailAnswers500WithABody()
    {
        await using var simulator = await DownstreamSimulator.StartAsync(SimulatorMode.Fail, 0, Token);
        using var client = new HttpClient { BaseAddress = simulator.BaseAddress };

        using var response = await client.PostAsync("/orders", new StringContent("{}"), Token);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.NotEmpty(await response.Content.ReadAsStringAsync(Token));
    }

    [Fact]
    public async Task FlapAlternatesPerCallStartingWithOk()
    {
        await using var simulator = await DownstreamSimulator.StartAsync(SimulatorMode.Flap, 0, Token);
        using var client = new HttpClient { BaseAddress = simulator.BaseAddress };

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var response = await client.GetAsync("/", Token);
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.InternalServerError, HttpStatusCode.OK, HttpStatusCode.InternalServerError], statuses);
    }

    [Fact]
    public async Task HangHoldsTheCallUntilTheClientGivesUpAndKeepsNothing()
    {
        await using var simulator = await DownstreamSimulator.StartAsync(SimulatorMode.Hang, 0, Token);
        using var client = new HttpClient { BaseAddress = simulator.BaseAddress, Timeout = TimeSpan.FromMilliseconds(300) };

        var started = DateTime.UtcNow;
        await Assert.ThrowsAnyAsync<TaskCanceledException>(() => client.GetAsync("/slow", Token));
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromMilliseconds(250));

        await WaitUntilAsync(() => simulator.Hanging == 0);
        Assert.Equal(1, simulator.Calls);
    }

    [Fact]
    public async Task StoppingTheSimulatorEndsHangingCalls()
    {
        var simulator = await DownstreamSimulator.StartAsync(SimulatorMode.Hang, 0, Token);
        using var client = new HttpClient { BaseAddress = simulator.BaseAddress };
        var call = client.GetAsync("/slow", Token);
        await WaitUntilAsync(() => simulator.Hanging == 1);

        var stopping = simulator.DisposeAsync().AsTask();

        await stopping.WaitAsync(TimeSpan.FromSeconds(4), Token);
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => call);
        Assert.Equal(0, simulator.Hanging);
    }

    [Fact]
    public async Task PutModeSwitchesAndStatsCountsOnlySimulatedCalls()
    {
        await using var simulator = await DownstreamSimulator.StartAsync(SimulatorMode.Hang, 0, Token);
        using var client = new HttpClient { BaseAddress = simulator.BaseAddress };

        using var switched = await client.PutAsync("/mode", new StringContent("ok\n", Encoding.UTF8, "text/plain"), Token);
        Assert.Equal(HttpStatusCode.OK, switched.StatusCode);
        using (var call = await client.DeleteAsync("/items/1", Token))
        {
            Assert.Equal(HttpStatusCode.OK, call.StatusCode);
        }

        using var stats = JsonDocument.Parse(await client.GetStringAsync("/stats", Token));

        Assert.Equal(1, stats.RootElement.GetProperty("calls").GetInt64());
        Assert.Equal("ok", stats.RootElement.GetProperty("mode").GetString());
    }

    [Fact]
    public async Task AnUnknownModeIs400AndChangesNothing()
    {
        await using var simulator = await DownstreamSimulator.StartAsync(SimulatorMode.Fail, 0, Token);
        using var client = new HttpClient { BaseAddress = simulator.BaseAddress };

        using var response = await client.PutAsync("/mode", new StringContent("sometimes"), Token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("hang, fail, ok or flap", await response.Content.ReadAsStringAsync(Token), StringComparison.Ordinal);
        Assert.Equal(SimulatorMode.Fail, simulator.Mode);
        Assert.Equal(0, simulator.Calls);
    }

    [Fact]
    public async Task OtherMethodsOnModeAndStatsAreSimulatedCalls()
    {
        await using var simulator = await DownstreamSimulator.StartAsync(SimulatorMode.Ok, 0, Token);
        using var client = new HttpClient { BaseAddress = simulator.BaseAddress };

        using var response = await client.GetAsync("/mode", Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, simulator.Calls);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, "condition not met within 5 s");
            await Task.Delay(20, Token);
        }
    }
}
