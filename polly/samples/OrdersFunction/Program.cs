using System.ComponentModel.DataAnnotations;
using CircuitBreaker.Contract;
using CircuitBreaker.Polly;
using OrdersFunction;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

// A user's function with the distributed breaker. Run as it is, it plays an outage of its dependency against
// an in-memory circuit and checks what a Lambda instance would see, exiting 1 if the library misbehaves: CI runs
// the Native AOT binary, so the library is exercised after trimming, not only analysed.
// With TABLE_NAME set it is one instance of a deployed function instead: `OrdersFunction up|down ORDER-ID...` serves
// those orders through the breaker's table and bus, with the dependency up or down (the end-to-end tests run two).
var deployed = Environment.GetEnvironmentVariable(FunctionEnvironment.TableName) is not null;
var orders = new OrdersApi(isDown: !deployed || args.FirstOrDefault() != "up");
var options = new DistributedCircuitBreakerStrategyOptions<string>
{
    ServiceId = "orders-api",
    ShouldHandle = new PredicateBuilder<string>().Handle<TimeoutRejectedException>().Handle<HttpRequestException>(),
    FailureThreshold = 3,
    OpenDuration = TimeSpan.FromSeconds(30),
    OnOpened = arguments =>
    {
        Console.WriteLine(arguments.IsManual
            ? "[circuit] orders-api isolated by an operator"
            : $"[circuit] orders-api open for {arguments.BreakDuration.TotalSeconds:0} s");
        return ValueTask.CompletedTask;
    },
}.ApplyEnvironment(); // deployed, the stack's FAILURE_THRESHOLD, WINDOW_SECONDS, ... win over the values above

// Deployed, TABLE_NAME and EVENT_BUS_NAME name the breaker's backend; otherwise one process plays every instance.
if (!deployed)
{
    options.Circuit = new InMemoryDistributedCircuit(options);
}

var pipeline = new ResiliencePipelineBuilder<string>()
    .AddRetry(new RetryStrategyOptions<string>
    {
        ShouldHandle = new PredicateBuilder<string>().Handle<TimeoutRejectedException>(),
        MaxRetryAttempts = 2,
        Delay = TimeSpan.Zero,
    })
    .AddDistributedCircuitBreaker(options)
    .AddTimeout(TimeSpan.FromMilliseconds(200))
    .Build();

var handler = new OrdersHandler(pipeline, orders);
if (deployed)
{
    foreach (var orderId in args.Skip(1))
    {
        var (status, body) = await handler.HandleAsync(Guid.NewGuid().ToString("N"), orderId, CancellationToken.None);
        Console.WriteLine($"GET /orders/{orderId} -> {status} ({body}); calls into orders-api: {orders.Calls}");
    }

    return 0;
}

var problems = new List<string>();

var first = await handler.HandleAsync("request-1", "1001", CancellationToken.None);
Console.WriteLine($"GET /orders/1001 -> {first.Status} ({first.Body}); calls into orders-api: {orders.Calls}");
var second = await handler.HandleAsync("request-2", "1002", CancellationToken.None);
Console.WriteLine($"GET /orders/1002 -> {second.Status} ({second.Body}); calls into orders-api: {orders.Calls}");

// The first request's three attempts time out; the third failure opens the circuit as the retries run out.
if (first.Status != 504 || orders.Calls != 3)
{
    problems.Add($"the first request should time out three times (status {first.Status}, {orders.Calls} calls)");
}

if (second.Status != 503 || !second.Body.Contains("retry after 30 s", StringComparison.Ordinal) || orders.Calls != 3)
{
    problems.Add($"an open circuit should refuse without calling, with RetryAfter (status {second.Status}, '{second.Body}', {orders.Calls} calls)");
}

// Validation must survive trimming: the options' attributes are read by reflection.
try
{
    new ResiliencePipelineBuilder().AddDistributedCircuitBreaker(new DistributedCircuitBreakerStrategyOptions
    {
        ServiceId = "orders-api",
        Window = TimeSpan.Zero,
        SlowCallThreshold = TimeSpan.FromSeconds(-1),
        Circuit = options.Circuit,
    });
    problems.Add("a zero Window and a negative SlowCallThreshold were accepted");
}
catch (ValidationException invalid)
    when (invalid.Message.Contains("Window", StringComparison.Ordinal) && invalid.Message.Contains("SlowCallThreshold", StringComparison.Ordinal))
{
    Console.WriteLine("invalid options refused: " + invalid.Message.ReplaceLineEndings(" "));
}

if (options.Circuit is InMemoryDistributedCircuit circuit)
{
    circuit.Isolate();
    var isolated = await pipeline.ExecuteOutcomeAsync<string, object?>(
        static (_, _) => Outcome.FromResultAsValueTask("unexpected"), ResilienceContextPool.Shared.Get(), null);
    if (isolated.Exception is not IsolatedCircuitException)
    {
        problems.Add("an isolated circuit should throw IsolatedCircuitException");
    }
}

foreach (var problem in problems)
{
    Console.Error.WriteLine("FAILED: " + problem);
}

Console.WriteLine(problems.Count == 0 ? "self-check passed" : $"self-check failed ({problems.Count})");
return problems.Count == 0 ? 0 : 1;
