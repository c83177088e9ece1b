using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
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
            json.WriteStringValue(timestamp.ToString());
        }
    }

    /// <summary>Reads a timestamp of either form; <paramref name="member"/> (and <paramref name="column"/>, within it) names it in errors.</summary>
    /// <exception cref="FormatException">The element is no timestamp, or a short one without a base clock.</exception>
    public static HybridTimestamp Read(JsonElement e, HybridTimestamp? baseClock, string member, string? column = null)
    {
        // Read from the element's bytes, with no string made, unless it has escapes.
        Span<char> text = stackalloc char[HybridTimestamp.TextLength];
        var length = e.ValueKind != JsonValueKind.String ? -1 : Ascii(JsonMarshal.GetRawUtf8Value(e), text) is var ascii and >= 0 ? ascii : Unescaped(e, text);
        if (length == ShortLength && AsciiText.IsLowerHex(text[..ShortLength])
            && long.TryParse(text[..ShortLength], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var ticks) && ticks >= 0)
        {
            return baseClock is { } b
                ? b.WithTicks(ticks)
                : throw new FormatException($"'{Name(member, column)}' is a timestamp of ticks alone, which needs the base clock 't' for its node.");
        }

        return length == HybridTimestamp.TextLength && HybridTimestamp.TryParse(text, out var ts)
            ? ts
            : throw new FormatException($"'{Name(member, column)}' must be a timestamp string (16 hex digits, then optionally '.' and 32 hex digits).");
    }

    /// <summary>The string's characters in <paramref name="text"/> when they fit; -1 otherwise.</summary>
    private static int Unescaped(JsonElement e, Span<char> text)
    {
        var value = e.GetString()!;
        return value.AsSpan().TryCopyTo(text) ? value.Length : -1;
    }

    private static string Name(string member, string? column) => column is null ? member : $"{member}.{column}";

    /// <summary>
    /// The characters of a JSON string's raw bytes (with their quotes) in <paramref name="text"/>, when they are at most as
    /// many as it holds and all ASCII without escapes; -1 otherwise (a longer text is no timestamp either way).
    /// </summary>
    private static int Ascii(ReadOnlySpan<byte> raw, Span<char> text)
    {
        var inner = raw[1..^1];
        return inner.Length <= text.Length && inner.IndexOf((byte)'\\') < 0
               && System.Text.Ascii.ToUtf16(inner, text, out var written) == OperationStatus.Done
            ? written
            : -1;
    }
}
