using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Identity;
using Amazon.Runtime.Signing;

namespace CircuitBreaker.Aws.EventBridge;

/// <summary>
/// Signs an <see cref="HttpRequestMessage"/> with AWS Signature Version 4 for one service and region.
/// </summary>
/// <remarks>
/// The signature is computed by AWSSDK.Core's public <see cref="AWSSigV4Signer"/> (namespace
/// <c>Amazon.Runtime.Signing</c>): the SDK's supported facade for signing arbitrary HTTP requests, which
/// needs no <c>IRequest</c>/<c>DefaultRequest</c> or internal <c>AWS4Signer</c> plumbing and no reflection.
/// <see cref="SigV4SigningHandler"/> wraps the same signer as a <see cref="DelegatingHandler"/>, but it
/// takes the clock from the machine and needs to own the inner handler; calling the signer directly
/// lets the signing time come from the injected <see cref="TimeProvider"/> and works with any
/// <see cref="HttpClient"/>.
/// The payload is always signed (its SHA-256 goes in <c>x-amz-content-sha256</c>): JSON-protocol
/// services do not accept <c>UNSIGNED-PAYLOAD</c>. The SDK adds and signs that header on every
/// request, and adds <c>x-amz-security-token</c> when the credentials carry a session token.
/// </remarks>
public sealed class RequestSigner
{
    private readonly IIdentityResolver<AWSCredentials> _credentials;
    private readonly RegionEndpoint _region;
    private readonly string _service;
    private readonly TimeProvider _time;

    /// <summary>Creates a signer for <paramref name="service"/> (e.g. <c>events</c>) in <paramref name="region"/>.</summary>
    /// <param name="credentials">
    /// Where credentials come from on each signing: the SDK's <c>DefaultAWSCredentialsIdentityResolver</c>
    /// in Lambda (environment variables), a <see cref="FixedCredentialsResolver"/> elsewhere.
    /// </param>
    /// <param name="region">The signing region's system name, e.g. <c>eu-west-1</c>.</param>
    /// <param name="service">The signing service name.</param>
    /// <param name="time">The clock the signature's date comes from.</param>
    public RequestSigner(IIdentityResolver<AWSCredentials> credentials, string region, string service, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentException.ThrowIfNullOrWhiteSpace(region);
        ArgumentException.ThrowIfNullOrWhiteSpace(service);
        ArgumentNullException.ThrowIfNull(time);
        _credentials = credentials;
        _region = RegionEndpoint.GetBySystemName(region);
        _service = service;
        _time = time;
    }

    /// <summary>
    /// Adds <c>Authorization</c>, <c>X-Amz-Date</c>, <c>X-Amz-Content-SHA256</c> and, with a session token,
    /// <c>X-Amz-Security-Token</c> to <paramref name="request"/>. Sign each attempt anew: a signature is
    /// only valid for a few minutes around its date.
    /// </summary>
    /// <param name="request">An absolute-URI request whose content, if any, can be read more than once.</param>
    /// <param name="cancellationToken">Stops credential resolution.</param>
    public async Task SignAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.RequestUri is not { IsAbsoluteUri: true } uri)
        {
            throw new ArgumentException("The request to sign needs an absolute URI.", nameof(request));
        }

        var credentials = await _credentials.ResolveIdentityAsync(null!, cancellationToken).ConfigureAwait(false);
        var signing = new AWSSigningRequest { HttpMethod = request.Method, RequestUri = uri };
        CopyHeaders(request, signing.Headers);
        if (request.Content is not null)
        {
            signing.Content = await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            // HttpClient sends Content-Length for buffered content; sign the same value it sends.
            request.Content.Headers.ContentLength = signing.Content.Length;
            signing.Headers["Content-Length"] = signing.Content.Length.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var parameters = new AWSSigV4Parameters
        {
            Credentials = credentials,
            Region = _region,
            Service = _service,
            SignPayload = true,
            SignedAt = _time.GetUtcNow().UtcDateTime,
        };
        var result = await AWSSigV4Signer.SignAsync(signing, parameters, cancellationToken).ConfigureAwait(false);
        foreach (var (name, value) in result.Headers)
        {
            request.Headers.Remove(name);
            request.Headers.TryAddWithoutValidation(name, value);
        }
    }

    // Multi-valued headers are joined with commas, which is how SigV4 canonicalizes repeated headers.
    private static void CopyHeaders(HttpRequestMessage request, IDictionary<string, string> target)
    {
        if (request.Headers.Host is { } host)
        {
            target["Host"] = host;
        }

        foreach (var header in request.Headers.NonValidated)
        {
            if (!string.Equals(header.Key, "Host", StringComparison.OrdinalIgnoreCase))
            {
                target[header.Key] = string.Join(",", header.Value);
            }
        }

        if (request.Content is not null)
        {
            foreach (var header in request.Content.Headers.NonValidated)
            {
                target[header.Key] = string.Join(",", header.Value);
            }
        }
    }
}
