namespace OrdersFunction;

/// <summary>The dependency the function calls. This one is down: it hangs until the caller gives up.</summary>
internal sealed class HangingOrdersApi
{
    private int _calls;

    /// <summary>How many calls reached the dependency.</summary>
    public int Calls => Volatile.Read(ref _calls);

    public async ValueTask<string> GetOrderAsync(string orderId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        return $"order {orderId}";
    }
}
