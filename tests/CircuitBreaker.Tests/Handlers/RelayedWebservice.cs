using System.Text.Json;
using CircuitBreaker.Contract;
using CircuitBreaker.Core.Breaker;
using CircuitBreaker.Core.Events;
using CircuitBreaker.Functions;
using CircuitBreaker.Functions.Webservice;
using CircuitBreaker.Functions.Webservice.Downstream;
using CircuitBreaker.Tests.Support;

namespace CircuitBreaker.Tests.Handlers;

/// <summary>
/// The webservice handler as an instance builds it (the production downstream HTTP client), in front of a real
/// loopback downstream, with an in-memory store and a recording or given publisher.
/// </summary>
internal sealed class RelayedWebservice : IDisposable
{
    private readonly TimeProvider _time = TimeProvider.System;
    private readonly HttpClient _http = FunctionInstance.NewDownstreamHttpClient();

    /// <param name="downstreamUrl">The downstream.</param>
    /// <param name="publisher">Where failures go; a recording publisher by default.</param>
    /// <param name="timeoutSeconds">The downstream timeout.</param>
    /// <param name="settings">Further settings by config key (e.g. <c>forwardedHeaders</c>), read as the functions read them.</param>
    public RelayedWebservice(Uri downstreamUrl, IFailurePublisher? publisher = null, double timeoutSeconds = 10, IReadOnlyDictionary<string, string>? settings = null)
    {
        Log = new CapturedLog(_time, "webservice");
        var circuit = CircuitSettingsReader.Read(
            setting => setting == CircuitSettingKeys.DownstreamUrl ? downstreamUrl.AbsoluteUri
                : setting == CircuitSettingKeys.DownstreamTimeoutSeconds ? timeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)
                : settings?.GetValueOrDefault(setting.ConfigKey),
            setting => setting.ConfigKey);
        Assert.Empty(circuit.Errors);
        Settings = circuit.Settings!;
        foreach (var key in settings?.Keys ?? [])
        {
            Assert.True(CircuitSettingKeys.All.Any(setting => setting.ConfigKey == key), $"{key} is not a setting");
        }

        Handler = FunctionInstance.NewWebserviceHandler(Store, FunctionInstance.NewDownstreamClient(_http, Settings, _time), publisher ?? Publisher, Settings, _time, Log.Log);
    }

    public WebserviceHandler Handler { get; }

    public CircuitSettings Settings { get; }

    public TestCircuitStore Store { get; } = new();

    public RecordingFailurePublisher Publisher { get; } = new();

    public CapturedLog Log { get; }

    /// <summary>Invokes the handler with a payload 2.0 event; returns the payload 2.0 response.</summary>
    public async Task<JsonElement> InvokeAsync(string httpApiEvent, TimeSpan? remaining = null)
    {
        var response = await Handler.HandleAsync(Invocations.Of(httpApiEvent, _time, remaining), TestContext.Current.CancellationToken);
        return JsonDocument.Parse(response).RootElement.Clone();
    }

    /// <summary>The response body's bytes, whichever way it is encoded.</summary>
    public static byte[] BodyBytes(JsonElement response)
    {
        var body = response.TryGetProperty("body", out var value) ? value.GetString() ?? string.Empty : string.Empty;
        return response.GetProperty("isBase64Encoded").GetBoolean() ? Convert.FromBase64String(body) : System.Text.Encoding.UTF8.GetBytes(body);
    }

    /// <summary>The problem body of a problem response, after checking its media type.</summary>
    public static JsonElement ProblemOf(JsonElement response)
    {
        Assert.Equal("application/problem+json", response.GetProperty("headers").GetProperty("content-type").GetString());
        return JsonDocument.Parse(response.GetProperty("body").GetString()!).RootElement.Clone();
    }

    public void Dispose() => _http.Dispose();
}
