using System.ComponentModel;
using System.Globalization;

namespace CircuitBreaker.Contract;

/// <summary>
/// A set of HTTP status codes as the <c>failureStatusCodes</c> setting writes it: single codes and ranges separated by
/// commas, e.g. <c>500-599,408,429</c>. Kept in the order given; two sets with the same text are equal. Converts from that
/// text, so that configuration binding (<c>"FailureStatusCodes": "500-599,408,429"</c>) reads it.
/// </summary>
[TypeConverter(typeof(StatusCodeRangesConverter))]
public sealed class StatusCodeRanges : IEquatable<StatusCodeRanges>
{
    private const int LowestStatus = 100;
    private const int HighestStatus = 599;

    private readonly (int From, int To)[] _ranges;
    private readonly string _text;

    private StatusCodeRanges((int From, int To)[] ranges)
    {
        _ranges = ranges;
        _text = string.Join(',', ranges.Select(range => range.From == range.To
            ? range.From.ToString(CultureInfo.InvariantCulture)
            : string.Create(CultureInfo.InvariantCulture, $"{range.From}-{range.To}")));
    }

    /// <summary>
    /// The default: every 5xx, 408 (Request Timeout) and 429 (Too Many Requests), the transient answers that
    /// Microsoft.Extensions.Http.Resilience's standard handler retries and breaks on (its <c>HttpClientResiliencePredicates.IsTransient</c>).
    /// </summary>
    public static StatusCodeRanges Default { get; } = Parse(CircuitSettingKeys.FailureStatusCodes.DefaultValue!);

    /// <summary>
    /// Reads a list such as <c>500-599,408,429</c>: codes from 100 to 599, a range's first code not above its last;
    /// blanks around entries are ignored. False, with <paramref name="bad"/> naming the first entry that is neither,
    /// when an entry is not a code or a range, or when no entry is given.
    /// </summary>
    /// <param name="raw">The setting's value.</param>
    /// <param name="ranges">The set, when true.</param>
    /// <param name="bad">The first entry that is not a code or a range (empty when the list is empty), when false.</param>
    public static bool TryParse(string raw, out StatusCodeRanges ranges, out string? bad)
    {
        ArgumentNullException.ThrowIfNull(raw);
        var read = new List<(int, int)>();
        foreach (var entry in raw.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var dash = entry.IndexOf('-', StringComparison.Ordinal);
            var (first, last) = dash < 0 ? (entry, entry) : (entry[..dash].Trim(), entry[(dash + 1)..].Trim());
            if (!IsStatus(first, out var from) || !IsStatus(last, out var to) || from > to)
            {
                (ranges, bad) = (Default, entry);
                return false;
            }

            read.Add((from, to));
        }

        if (read.Count == 0)
        {
            (ranges, bad) = (Default, string.Empty);
            return false;
        }

        (ranges, bad) = (new StatusCodeRanges([.. read]), null);
        return true;
    }

    /// <summary>Reads a list that is known to be valid; throws <see cref="FormatException"/> otherwise.</summary>
    /// <param name="raw">The list, e.g. <c>500-599,408,429</c>.</param>
    public static StatusCodeRanges Parse(string raw) =>
        TryParse(raw, out var ranges, out var bad) ? ranges : throw new FormatException($"'{bad}' in '{raw}' is not a status code or a range of them.");

    /// <summary>True when <paramref name="statusCode"/> is in the set.</summary>
    public bool Contains(int statusCode)
    {
        foreach (var (from, to) in _ranges)
        {
            if (statusCode >= from && statusCode <= to)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The set as the setting is written, e.g. <c>500-599,408,429</c>.</summary>
    public override string ToString() => _text;

    /// <inheritdoc />
    public bool Equals(StatusCodeRanges? other) => other is not null && string.Equals(_text, other._text, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as StatusCodeRanges);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(_text);

    private static bool IsStatus(string text, out int status)
    {
        status = 0;
        return text.Length == 3 && text.All(char.IsAsciiDigit) && SettingValues.TryWholeNumber(text, LowestStatus, HighestStatus, out status);
    }
}

/// <summary>Converts the text of a <see cref="StatusCodeRanges"/> (<c>500-599,408,429</c>) to the set, for configuration binding.</summary>
public sealed class StatusCodeRangesConverter : TypeConverter
{
    /// <inheritdoc />
    public override bool CanConvertFrom(ITypeDescriptorContext? context, Type sourceType) => sourceType == typeof(string) || base.CanConvertFrom(context, sourceType);

    /// <inheritdoc />
    public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value) =>
        value is string text
            ? StatusCodeRanges.TryParse(text, out var ranges, out var bad)
                ? ranges
                : throw new FormatException($"'{text}' is not a list of status codes and ranges ('{bad}' is neither): expected {CircuitSettingKeys.FailureStatusCodes.ExpectedForm}.")
            : base.ConvertFrom(context, culture, value);
}
