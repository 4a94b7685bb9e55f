namespace CircuitBreaker.Local.HttpApi;

/// <summary>What the client gets: the function's answer as API Gateway turns it into HTTP.</summary>
/// <param name="StatusCode">The status.</param>
/// <param name="Headers">Headers other than Set-Cookie, each once.</param>
/// <param name="Cookies">Each becomes one Set-Cookie header.</param>
/// <param name="Body">The body bytes (decoded when the function sent base64).</param>
internal sealed record GatewayHttpResponse(int StatusCode, IReadOnlyList<KeyValuePair<string, string>> Headers, IReadOnlyList<string> Cookies, byte[] Body);
