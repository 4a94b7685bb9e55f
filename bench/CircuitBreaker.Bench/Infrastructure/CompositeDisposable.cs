namespace CircuitBreaker.Bench;

/// <summary>Disposes what it was given, last first.</summary>
internal sealed class CompositeDisposable : IDisposable
{
    private readonly List<IDisposable> _owned = [];

    public T Own<T>(T disposable)
        where T : IDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }

    public void Dispose()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            _owned[i].Dispose();
        }

        _owned.Clear();
    }
}
