namespace CircuitBreaker.Local.Hosting;

/// <summary>
/// Reads a request body up to a limit, as the local servers that enforce AWS's size limits themselves (the HTTP API,
/// the Lambda service) need: Kestrel's own limit is off for them, so that they can answer as AWS does.
/// </summary>
internal static class BoundedBody
{
    /// <summary>The body, or null when it is longer than <paramref name="limit"/> bytes.</summary>
    /// <param name="body">The request body.</param>
    /// <param name="limit">The most bytes accepted.</param>
    /// <param name="cancellationToken">Cancels the read, e.g. when the client goes away.</param>
    public static async Task<byte[]?> ReadAsync(Stream body, int limit, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
