using CircuitBreaker.Infra;
using Pulumi;

return await Deployment.RunAsync<CircuitBreakerStack>().ConfigureAwait(false);
