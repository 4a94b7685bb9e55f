using System.Text;
using CircuitBreaker.Local.HttpApi;
using CircuitBreaker.Local.LambdaService;

namespace CircuitBreaker.Tests.Local.HttpApi;

/// <summary>The local HTTP API in front of a stand-in integration that keeps every event and gives one answer (none: never answers).</summary>
internal sealed class RecordingGateway(InvocationResult? answer)
{
    private readonly List<string> _events = [];
    private readonly List<HttpApiRequestSummary> _summaries = [];

    public HttpApiGatewayOptions Options { get; init; } = new();

    public IReadOnlyList<string> Events
    {
        get { lock (_events) { return [.. _events]; } }
    }

    public IReadOnlyList<HttpApiRequestSummary> Summaries
    {
        get { lock (_summaries) { return [.. _summaries]; } }
    }

    public async Task<HttpApiGateway> StartAsync()
    {
        var gateway = new HttpApiGateway(Options, InvokeAsync, TimeProvider.System, summary =>
        {
            lock (_summaries)
            {
                _summaries.Add(summary);
            }
        });
        await gateway.StartAsync(0, TestContext.Current.CancellationToken);
        return gateway;
    }

    private async Task<InvocationResult> InvokeAsync(byte[] payload, CancellationToken cancellationToken)
    {
        lock (_events)
        {
            _events.Add(Encoding.UTF8.GetString(payload));
        }

        if (answer is null)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        return answer!;
    }

    /// <summary>A successful invocation answering <paramref name="payload"/>.</summary>
    public static InvocationResult Success(string payload) =>
        new("id", InvocationOutcome.Success, Encoding.UTF8.GetBytes(payload), null, TimeSpan.Zero);
}
