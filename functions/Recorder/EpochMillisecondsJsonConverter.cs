using System.Text.Json;
using System.Text.Json.Serialization;
using CircuitBreaker.Core.Breaker;

namespace CircuitBreaker.Functions.Recorder;

/// <summary>
/// Reads a Unix time in milliseconds written as any JSON number (<c>1764612000000</c>, <c>9e15</c>,
/// <c>9000000000000000.0</c>, <c>1e300</c>), truncated to whole milliseconds and saturated to <see cref="long"/>'s
/// range: an absurd date is still a date, which <see cref="FailureTime"/> clamps. A string or any other type
/// is a <see cref="JsonException"/> naming the field's path; <c>null</c> reads as missing.
/// </summary>
internal sealed class EpochMillisecondsJsonConverter : JsonConverter<long?>
{
    /// <inheritdoc />
    public override bool HandleNull => true;

    /// <inheritdoc />
    public override long? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.Number)
        {
            // No message: the serializer then writes its own, with the field's path.
            throw new JsonException();
        }

        if (reader.TryGetInt64(out var whole))
        {
            return whole;
        }

        if (reader.TryGetDouble(out var number) && double.IsFinite(number))
        {
            return number >= long.MaxValue ? long.MaxValue
                : number <= long.MinValue ? long.MinValue
                : (long)Math.Truncate(number);
        }

        // Beyond double's range (1e400): JSON's grammar leaves only the sign to look at.
        var first = reader.HasValueSequence ? reader.ValueSequence.FirstSpan[0] : reader.ValueSpan[0];
        return first == (byte)'-' ? long.MinValue : long.MaxValue;
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, long? value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value is { } milliseconds)
        {
            writer.WriteNumberValue(milliseconds);
        }
        else
        {
            writer.WriteNullValue();
        }
    }
}
