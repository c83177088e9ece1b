using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Liblim.EfCore.Values;

namespace Liblim.EfCore.Protocol;

/// <summary>
/// A timestamp inside a row state's <c>"c"</c>, <c>"a"</c> or <c>"d"</c>: its full text form, or, when the node that
/// issued it is the node of the state's base clock <c>"t"</c>, the 16 hex digits of its ticks alone. Writers always
/// use the short form when they can; readers accept both, and refuse a short form where there is no <c>"t"</c>.
/// </summary>
internal static class RowStateTimestamp
{
    /// <summary>The length of the short form: the ticks as 16 lowercase hex digits.</summary>
    public const int ShortLength = 16;

    /// <summary>The text of <paramref name="timestamp"/>, short when it shares the node of <paramref name="baseClock"/>.</summary>
    public static string Text(HybridTimestamp timestamp, HybridTimestamp? baseClock)
        => baseClock is { } b && timestamp.HasNodeOf(b) ? timestamp.Ticks.ToString("x16", CultureInfo.InvariantCulture) : timestamp.ToString();

    /// <summary>Writes <paramref name="timestamp"/> as a JSON string, short when it shares the node of <paramref name="baseClock"/>.</summary>
    public static void Write(Utf8JsonWriter json, HybridTimestamp timestamp, HybridTimestamp? baseClock)
    {
        if (baseClock is { } b && timestamp.HasNodeOf(b))
        {
            Span<char> ticks = stackalloc char[ShortLength];
            timestamp.Ticks.TryFormat(ticks, out _, "x16", CultureInfo.InvariantCulture);
            json.WriteStringValue(ticks);
        }
        else
        {
            Span<char> text = stackalloc char[HybridTimestamp.TextLength];
            timestamp.Format(text);
            json.WriteStringValue(text);
        }
    }

    /// <summary>
    /// Reads the timestamp of either form the reader is at; a short form is resolved by <see cref="Pending.Resolve"/> once
    /// the state's base clock is known (<c>"t"</c> may come after). <paramref name="member"/> (and <paramref name="column"/>,
    /// within it) names it in errors.
    /// </summary>
    /// <exception cref="FormatException">The token is no timestamp.</exception>
    public static Pending Read(ref Utf8JsonReader reader, string member, string? column = null)
    {
        // Read from the token's bytes, with no string made, unless it has escapes.
        Span<char> text = stackalloc char[HybridTimestamp.TextLength];
        var length = reader.TokenType != JsonTokenType.String ? -1 : !reader.ValueIsEscaped ? Ascii(reader.ValueSpan, text) : Unescaped(ref reader, text);
        if (length == ShortLength && AsciiText.IsLowerHex(text[..ShortLength])
            && long.TryParse(text[..ShortLength], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var ticks) && ticks >= 0)
        {
            return new(default, ticks, IsShort: true);
        }

        return length == HybridTimestamp.TextLength && HybridTimestamp.TryParse(text, out var ts)
            ? new(ts, 0, IsShort: false)
            : throw new FormatException($"'{Name(member, column)}' must be a timestamp string (16 hex digits, then optionally '.' and 32 hex digits).");
    }

    /// <summary>A timestamp as read: whole, or its ticks alone (of the node of the base clock).</summary>
    public readonly record struct Pending(HybridTimestamp Whole, long Ticks, bool IsShort)
    {
        /// <summary>The timestamp, a short form given the node of <paramref name="baseClock"/>.</summary>
        /// <exception cref="FormatException">A short form without a base clock.</exception>
        public HybridTimestamp Resolve(HybridTimestamp? baseClock, string member, string? column = null)
            => !IsShort ? Whole
                : baseClock is { } b ? b.WithTicks(Ticks)
                : throw new FormatException($"'{Name(member, column)}' is a timestamp of ticks alone, which needs the base clock 't' for its node.");
    }

    /// <summary>The string's characters in <paramref name="text"/> when they fit; -1 otherwise.</summary>
    private static int Unescaped(ref Utf8JsonReader reader, scoped Span<char> text)
    {
        var value = reader.GetString()!;
        return value.AsSpan().TryCopyTo(text) ? value.Length : -1;
    }

    private static string Name(string member, string? column) => column is null ? member : $"{member}.{column}";

    /// <summary>
    /// The characters of a JSON string without escapes (its bytes inside the quotes) in <paramref name="text"/>, when they
    /// are at most as many as it holds and all ASCII; -1 otherwise (a longer text is no timestamp either way).
    /// </summary>
    private static int Ascii(ReadOnlySpan<byte> inner, Span<char> text)
        => inner.Length <= text.Length && System.Text.Ascii.ToUtf16(inner, text, out var written) == OperationStatus.Done ? written : -1;
}
