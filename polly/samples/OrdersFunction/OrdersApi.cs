namespace OrdersFunction;

/// <summary>The dependency the function calls. When it is down, it hangs until the caller gives up.</summary>
/// <param name="isDown">Whether calls hang (down) or answer at once (up).</param>
internal sealed class OrdersApi(bool isDown)
{
    private int _calls;

    /// <summary>How many calls reached the dependency.</summary>
    public int Calls => Volatile.Read(ref _calls);

    public async ValueTask<string> GetOrderAsync(string orderId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        if (isDown)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }

        return $"order {orderId}";
    }
}
