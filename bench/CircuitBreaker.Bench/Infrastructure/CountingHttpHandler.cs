namespace CircuitBreaker.Bench;

/// <summary>Tells the counter about every DynamoDB request the SDK sends.</summary>
internal sealed class CountingHttpHandler(DynamoDbRequestCounter counter) : DelegatingHandler(new SocketsHttpHandler())
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Headers.TryGetValues("X-Amz-Target", out var targets))
        {
            var target = targets.First();
            var dot = target.LastIndexOf('.');
            counter.Count(dot >= 0 ? target[(dot + 1)..] : target);
        }

        return base.SendAsync(request, cancellationToken);
    }
}
