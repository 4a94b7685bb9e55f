using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;

namespace CircuitBreaker.Local.Cli;

/// <summary>
/// Recognises a port the HTTP API cannot have, and says so in one line, so that a busy <c>--port</c> is a bad
/// option (exit code 2) rather than a crash with a stack trace.
/// </summary>
internal static class PortInUse
{
    /// <summary>The one line for a port that is taken.</summary>
    public static string Message(int port) =>
        $"port {port} is in use: stop what uses it or pass --port N (another port; 0 = any free port).";

    /// <summary>
    /// Whether 127.0.0.1:<paramref name="port"/> is taken now. Checked before anything starts (dynalite takes
    /// seconds), though only binding the real server is certain; <see cref="IsBindFailure"/> covers the rest.
    /// </summary>
    public static bool IsTaken(int port)
    {
        if (port == 0)
        {
            return false;
        }

        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return false;
        }
        catch (SocketException error) when (error.SocketErrorCode is SocketError.AddressAlreadyInUse)
        {
            return true;
        }
    }

    /// <summary>Whether <paramref name="error"/> (or what it wraps) is Kestrel failing to bind a taken address.</summary>
    public static bool IsBindFailure(Exception error)
    {
        for (var current = error; current is not null; current = current.InnerException)
        {
            if (current is AddressInUseException
                || current is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse })
            {
                return true;
            }
        }

        return false;
    }
}
