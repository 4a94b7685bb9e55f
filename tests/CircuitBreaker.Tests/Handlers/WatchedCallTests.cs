using CircuitBreaker.Core.Breaker;
using CircuitBreaker.Functions.Handlers;
using Microsoft.Extensions.Time.Testing;

namespace CircuitBreaker.Tests.Handlers;

public sealed class WatchedCallTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task TheTimerPublishesOnceAndTheEndReportsIt()
    {
        var publications = 0;
        var call = new WatchedCall(_time, TimeSpan.FromSeconds(1), () => Task.FromResult(Interlocked.Increment(ref publications) > 0));

        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.True(await call.EndAsync());
        Assert.Equal(1, publications);
    }

    [Fact]
    public async Task AnEndedCallIsNeverPublished()
    {
        var publications = 0;
        var call = new WatchedCall(_time, TimeSpan.FromSeconds(1), () => Task.FromResult(Interlocked.Increment(ref publications) > 0));

        Assert.False(await call.EndAsync());
        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(0, publications);
    }

    [Fact]
    public void AnAbandonedInvocationsCallIsNeverPublished()
    {
        var publications = 0;
        using var invocation = new CancellationTokenSource();
        _ = new WatchedCall(_time, TimeSpan.FromSeconds(1), () => Task.FromResult(Interlocked.Increment(ref publications) > 0), invocation.Token);

        invocation.Cancel();
        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(0, publications);
    }

    [Fact]
    public async Task APublicationThatThrowsCountsAsNotPublished()
    {
        var call = new WatchedCall(_time, TimeSpan.FromSeconds(1), () => Task.FromException<bool>(new InvalidOperationException("boom")));

        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.False(await call.EndAsync());
    }

    [Fact]
    public async Task EndAndTimerRacingPublishAtMostOnceAndAgreeOnWhetherItHappened()
    {
        for (var round = 0; round < 200; round++)
        {
            var publications = 0;
            var call = new WatchedCall(TimeProvider.System, TimeSpan.FromMilliseconds(1), () => Task.FromResult(Interlocked.Increment(ref publications) > 0));
            await Task.Delay(round % 3, TestContext.Current.CancellationToken);

            var publishedAsSlow = await call.EndAsync();
            await Task.Delay(5, TestContext.Current.CancellationToken);

            Assert.Equal(publishedAsSlow ? 1 : 0, publications);
        }
    }
}
