using System.Net.Http;
using System.Net.Sockets;
using System.Security.Authentication;

namespace CircuitBreaker.Cli;

/// <summary>
/// Says in a few words what failed on the way to an endpoint. The SDK wraps it as "The service returned an error.
/// See inner exception for details."; the cause is further down the chain, in the HttpRequestException's
/// <see cref="HttpRequestError"/>, a <see cref="SocketException"/> or an <see cref="AuthenticationException"/>.
/// </summary>
internal static class ConnectionFailure
{
    /// <summary>What failed on the way to <paramref name="endpoint"/>, e.g. "connection refused by 127.0.0.1:8000"; null when <paramref name="exception"/> is not a connection failure.</summary>
    public static string? Describe(Exception exception, Uri endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var chain = Chain(exception).ToList();
        var peer = endpoint.Authority;
        var socket = chain.OfType<SocketException>().FirstOrDefault();
        switch (socket?.SocketErrorCode)
        {
            case SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData:
                return $"name resolution of host {endpoint.Host} failed";
            case SocketError.ConnectionRefused:
                return $"connection refused by {peer}";
            // A reset that lands before the request is written can surface on Linux as ENOTCONN ("Transport endpoint
            // is not connected"): the peer dropped the connection all the same.
            case SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.NotConnected:
                return $"connection reset by {peer}";
            case SocketError.TimedOut:
                return $"connecting to {peer} timed out";
            case SocketError.NetworkUnreachable or SocketError.HostUnreachable:
                return $"no route to {peer}";
        }

        if (chain.OfType<AuthenticationException>().Any())
        {
            return $"TLS handshake with {peer} failed";
        }

        return chain.OfType<HttpRequestException>().Select(e => e.HttpRequestError).FirstOrDefault(error => error != HttpRequestError.Unknown) switch
        {
            HttpRequestError.NameResolutionError => $"name resolution of host {endpoint.Host} failed",
            HttpRequestError.SecureConnectionError => $"TLS handshake with {peer} failed",
            HttpRequestError.ConnectionError => $"connecting to {peer} failed{Detail(socket)}",
            HttpRequestError.ResponseEnded => $"connection closed by {peer} before it answered",
            HttpRequestError.InvalidResponse => $"{peer} did not answer in HTTP",
            HttpRequestError.ProxyTunnelError => $"the proxy to {peer} failed",
            _ => socket is null ? null : $"the connection to {peer} failed{Detail(socket)}",
        };
    }

    private static string Detail(SocketException? socket) => socket is null ? string.Empty : $": {socket.Message}";

    private static IEnumerable<Exception> Chain(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            yield return exception;
        }
    }
}
