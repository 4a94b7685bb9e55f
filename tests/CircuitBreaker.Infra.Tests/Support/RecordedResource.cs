using System.Collections;
using System.Collections.Immutable;
using System.Globalization;

namespace CircuitBreaker.Infra.Tests.Support;

/// <summary>
/// A resource as the engine received it: its type token, logical name, the id the mocks gave it, its
/// inputs exactly as serialized (strings, doubles, bools, lists and maps), and the state the mocks answered.
/// </summary>
internal sealed record RecordedResource(
    string Type,
    string Name,
    string Id,
    ImmutableDictionary<string, object> Inputs,
    ImmutableDictionary<string, object> State)
{
    /// <summary>An attribute the mocks computed as AWS would (ARN, URL, generated name).</summary>
    public string Computed(string key) => State.TryGetValue(key, out var value) && value is string text
        ? text
        : throw new Xunit.Sdk.XunitException($"{Type} '{Name}' has no computed '{key}'.");

    public bool Has(string key) => Inputs.ContainsKey(key);

    public string Text(string key) => InputValue(key) as string
        ?? throw new Xunit.Sdk.XunitException($"{Type} '{Name}' has no string input '{key}'.");

    public double Number(string key) => Convert.ToDouble(InputValue(key), CultureInfo.InvariantCulture);

    public bool Flag(string key) => InputValue(key) is bool value
        ? value
        : throw new Xunit.Sdk.XunitException($"{Type} '{Name}' has no boolean input '{key}'.");

    public IReadOnlyList<string> Texts(string key) => ((IEnumerable)InputValue(key)!).Cast<object?>().Select(item => (string)item!).ToArray();

    public IReadOnlyList<object?> Items(string key) => ((IEnumerable)InputValue(key)!).Cast<object?>().ToArray();

    /// <summary>A nested map input, e.g. <c>ttl</c> or <c>environment</c>.</summary>
    public IDictionary Map(string key) => InputValue(key) as IDictionary
        ?? throw new Xunit.Sdk.XunitException($"{Type} '{Name}' has no map input '{key}'.");

    public static object? Entry(IDictionary map, string key) =>
        map.Contains(key) ? map[key] : throw new Xunit.Sdk.XunitException($"No key '{key}' among {string.Join(", ", map.Keys.Cast<object>())}.");

    private object? InputValue(string key) =>
        Inputs.TryGetValue(key, out var value) ? value : throw new Xunit.Sdk.XunitException($"{Type} '{Name}' has no input '{key}' among {string.Join(", ", Inputs.Keys)}.");
}
