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
            json.WriteStringValue(timestamp.ToString());
        }
    }

    /// <summary>Reads a timestamp of either form; <paramref name="name"/> names it in errors.</summary>
    /// <exception cref="FormatException">The element is no timestamp, or a short one without a base clock.</exception>
    public static HybridTimestamp Read(JsonElement e, HybridTimestamp? baseClock, string name)
    {
        var text = e.ValueKind == JsonValueKind.String ? e.GetString() : null;
        if (text is { Length: ShortLength } && AsciiText.IsLowerHex(text)
            && long.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var ticks) && ticks >= 0)
        {
            return baseClock is { } b
                ? b.WithTicks(ticks)
                : throw new FormatException($"'{name}' is a timestamp of ticks alone, which needs the base clock 't' for its node.");
        }

        return text is not null && HybridTimestamp.TryParse(text, out var ts)
            ? ts
            : throw new FormatException($"'{name}' must be a timestamp string (16 hex digits, then optionally '.' and 32 hex digits).");
    }
}
