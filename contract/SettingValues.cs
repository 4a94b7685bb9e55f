using System.Globalization;

namespace CircuitBreaker.Contract;

/// <summary>
/// How every settings reader (the breaker's, the stack's) turns raw text into values and says what is wrong, so that
/// blanks, number formats and messages are the same wherever a setting is written.
/// </summary>
public static class SettingValues
{
    /// <summary>The value to use: <paramref name="value"/> trimmed, or <paramref name="defaultValue"/> when it is null or blank.</summary>
    /// <param name="value">The raw value as given.</param>
    /// <param name="defaultValue">The setting's default; null when absence means "not set".</param>
    public static string? OrDefault(string? value, string? defaultValue) =>
        string.IsNullOrWhiteSpace(value) ? defaultValue : value.Trim();

    /// <summary>True when <paramref name="raw"/> is a whole number (invariant culture) from <paramref name="least"/> to <paramref name="most"/>.</summary>
    /// <param name="raw">The text.</param>
    /// <param name="least">The smallest value allowed.</param>
    /// <param name="most">The largest value allowed.</param>
    /// <param name="value">The number, when true.</param>
    public static bool TryWholeNumber(string? raw, int least, int most, out int value) =>
        int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out value) && value >= least && value <= most;

    /// <summary>True when <paramref name="raw"/> is a finite number (invariant culture, fractions and exponents allowed).</summary>
    /// <param name="raw">The text.</param>
    /// <param name="value">The number, when true.</param>
    public static bool TryFiniteNumber(string? raw, out double value) =>
        double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    /// <summary>The message for a setting that is missing (<paramref name="shownValue"/> null) or not of its expected form.</summary>
    /// <param name="described">The setting as the reader's caller names it, e.g. <c>config 'circuit-breaker:failureThreshold'</c>.</param>
    /// <param name="shownValue">The value as it may be shown (credentials masked), or null when it is missing.</param>
    /// <param name="expectedForm">How a valid value looks.</param>
    public static string Invalid(string described, string? shownValue, string expectedForm) =>
        shownValue is null
            ? $"{described} is required: expected {expectedForm}."
            : $"{described} is '{shownValue}': expected {expectedForm}.";

    /// <summary>A number of seconds as settings write it: invariant, at most three decimals (<c>10</c>, <c>0.25</c>).</summary>
    /// <param name="value">The duration.</param>
    public static string Seconds(TimeSpan value) => value.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
}
