using System.Text;
using System.Text.Json;
using CircuitBreaker.Local.Hosting;
using Microsoft.AspNetCore.Http;

namespace CircuitBreaker.Local.Downstream;

/// <summary>
/// The slow, unreliable downstream of the demo, on its own loopback port. Every request is a call to
/// the simulated service except <c>PUT /mode</c> (switch mode; body = mode name) and <c>GET /stats</c>
/// (<c>{"calls":N,"mode":"...","hanging":N}</c>).
/// </summary>
internal sealed class DownstreamSimulator : IAsyncDisposable
{
    private readonly LoopbackHttpServer _server;
    private readonly SimulatorState _state;

    private DownstreamSimulator(LoopbackHttpServer server, SimulatorState state)
    {
        _server = server;
        _state = state;
    }

    /// <summary>http://127.0.0.1:PORT/ — what the webservice's DOWNSTREAM_URL should be.</summary>
    public Uri BaseAddress => _server.BaseAddress;

    /// <summary>The current mode.</summary>
    public SimulatorMode Mode => _state.Mode;

    /// <summary>Calls to the simulated service since start.</summary>
    public long Calls => _state.Calls;

    /// <summary>Calls currently held open by <see cref="SimulatorMode.Hang"/>.</summary>
    public int Hanging => _state.Hanging;

    /// <summary>Starts the simulator on 127.0.0.1:<paramref name="port"/> (0 = a free port).</summary>
    public static async Task<DownstreamSimulator> StartAsync(SimulatorMode mode, int port, CancellationToken cancellationToken)
    {
        var state = new SimulatorState(mode);
        var server = await LoopbackHttpServer.StartAsync(port, state.HandleAsync, 1024 * 1024, cancellationToken).ConfigureAwait(false);
        return new DownstreamSimulator(server, state);
    }

    /// <summary>Switches the mode, as <c>PUT /mode</c> does.</summary>
    public void SwitchTo(SimulatorMode mode) => _state.SwitchTo(mode);

    /// <summary>In <see cref="SimulatorMode.Ok"/>, fails the calls <paramref name="failures"/> draws (null: none); the other modes are unchanged.</summary>
    public void FailAtRandom(RandomFailures? failures) => _state.FailAtRandom(failures);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private sealed class SimulatorState(SimulatorMode initial)
    {
        private static readonly byte[] OkBody = Encoding.UTF8.GetBytes("{\"ok\":true,\"source\":\"downstream-simulator\"}");
        private static readonly byte[] FailBody = Encoding.UTF8.GetBytes("{\"error\":\"simulated failure\"}");

        private readonly Lock _gate = new();
        private SimulatorMode _mode = initial;
        private RandomFailures? _randomFailures;
        private long _flapCalls;
        private long _calls;
        private int _hanging;

        public SimulatorMode Mode
        {
            get { lock (_gate) { return _mode; } }
        }

        public long Calls => Interlocked.Read(ref _calls);

        public int Hanging => Volatile.Read(ref _hanging);

        public void SwitchTo(SimulatorMode mode)
        {
            lock (_gate)
            {
                _mode = mode;
                _flapCalls = 0;
            }
        }

        public void FailAtRandom(RandomFailures? failures)
        {
            lock (_gate)
            {
                _randomFailures = failures;
            }
        }

        public async Task HandleAsync(HttpContext context, CancellationToken stopping)
        {
            var request = context.Request;
            if (request.Path == "/mode" && HttpMethods.IsPut(request.Method))
            {
                await SwitchModeAsync(context).ConfigureAwait(false);
                return;
            }

            if (request.Path == "/stats" && HttpMethods.IsGet(request.Method))
            {
                await WriteStatsAsync(context).ConfigureAwait(false);
                return;
            }

            Interlocked.Increment(ref _calls);
            switch (NextAnswer())
            {
                case SimulatorMode.Hang:
                    await HangAsync(context, stopping).ConfigureAwait(false);
                    break;
                case SimulatorMode.Fail:
                    await WriteAsync(context, StatusCodes.Status500InternalServerError, FailBody).ConfigureAwait(false);
                    break;
                default:
                    await WriteAsync(context, StatusCodes.Status200OK, OkBody).ConfigureAwait(false);
                    break;
            }
        }

        private SimulatorMode NextAnswer()
        {
            lock (_gate)
            {
                if (_mode == SimulatorMode.Ok && _randomFailures?.NextFails() == true)
                {
                    return SimulatorMode.Fail;
                }

                if (_mode != SimulatorMode.Flap)
                {
                    return _mode;
                }

                return _flapCalls++ % 2 == 0 ? SimulatorMode.Ok : SimulatorMode.Fail;
            }
        }

        // Held until the caller gives up (RequestAborted) or the simulator stops; nothing else keeps it.
        private async Task HangAsync(HttpContext context, CancellationToken stopping)
        {
            Interlocked.Increment(ref _hanging);
            try
            {
                using var either = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
                await Task.Delay(Timeout.Infinite, either.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                context.Abort();
            }
            finally
            {
                Interlocked.Decrement(ref _hanging);
            }
        }

        private async Task SwitchModeAsync(HttpContext context)
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            var text = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
            if (!SimulatorModeNames.TryParse(text, out var mode))
            {
                var message = $"unknown mode '{text.Trim()}': expected {SimulatorModeNames.Expected}";
                await WriteAsync(context, StatusCodes.Status400BadRequest, JsonMessage("error", message)).ConfigureAwait(false);
                return;
            }

            SwitchTo(mode);
            await WriteAsync(context, StatusCodes.Status200OK, JsonMessage("mode", SimulatorModeNames.Name(mode))).ConfigureAwait(false);
        }

        private async Task WriteStatsAsync(HttpContext context)
        {
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                writer.WriteNumber("calls", Calls);
                writer.WriteString("mode", SimulatorModeNames.Name(Mode));
                writer.WriteNumber("hanging", Hanging);
                writer.WriteEndObject();
            }

            await WriteAsync(context, StatusCodes.Status200OK, buffer.ToArray()).ConfigureAwait(false);
        }

        private static byte[] JsonMessage(string name, string value)
        {
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                writer.WriteString(name, value);
                writer.WriteEndObject();
            }

            return buffer.ToArray();
        }

        private static async Task WriteAsync(HttpContext context, int status, byte[] body)
        {
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = body.Length;
            await context.Response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
        }
    }
}
