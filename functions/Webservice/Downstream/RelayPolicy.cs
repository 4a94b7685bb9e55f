using CircuitBreaker.Contract;

namespace CircuitBreaker.Functions.Webservice.Downstream;

/// <summary>
/// What one route's settings change about the relay: header names to keep back in each direction, an allow-list of
/// client headers, whether forwarding headers are added, and whether encoded slashes pass. The fixed rules of
/// <see cref="RelayedHeaders"/> and <see cref="RequestPathGuard"/> hold whatever the policy says.
/// </summary>
internal sealed class RelayPolicy
{
    private RelayPolicy(RouteOptions? settings)
    {
        RequestHeadersToDrop = settings?.RequestHeadersToDrop ?? HeaderNameList.Empty;
        ResponseHeadersToDrop = settings?.ResponseHeadersToDrop ?? HeaderNameList.Empty;
        RequestHeadersAllowed = settings?.RequestHeadersAllowed;
        ForwardedHeaders = settings?.ForwardedHeaders ?? false;
        AllowEncodedSlash = settings?.AllowEncodedSlash ?? false;
    }

    /// <summary>The settings' defaults: every end-to-end header, no forwarding headers, no encoded slashes.</summary>
    public static RelayPolicy Default { get; } = new(null);

    /// <summary>Client headers kept back on top of the fixed rules.</summary>
    public HeaderNameList RequestHeadersToDrop { get; }

    /// <summary>Downstream headers kept back on top of the fixed rules.</summary>
    public HeaderNameList ResponseHeadersToDrop { get; }

    /// <summary>When not null, the only client headers relayed.</summary>
    public HeaderNameList? RequestHeadersAllowed { get; }

    /// <summary>Whether <c>Forwarded</c> and <c>X-Forwarded-For/-Host/-Proto</c> are written from API Gateway's request context.</summary>
    public bool ForwardedHeaders { get; }

    /// <summary>Whether a path may hold <c>%2F</c>.</summary>
    public bool AllowEncodedSlash { get; }

    /// <summary>The policy a route's <paramref name="settings"/> describe.</summary>
    public static RelayPolicy From(RouteOptions settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new RelayPolicy(settings);
    }

    /// <summary>True when the route's policy lets the client header <paramref name="name"/> through (the fixed rules aside).</summary>
    public bool RelaysRequestHeader(string name) =>
        (RequestHeadersToDrop.IsEmpty || !RequestHeadersToDrop.Contains(name)) && (RequestHeadersAllowed is null || RequestHeadersAllowed.Contains(name));
}
