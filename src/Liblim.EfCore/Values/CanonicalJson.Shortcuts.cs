using System.Globalization;

namespace Liblim.EfCore.Values;

/// <summary>
/// Shortcuts of <see cref="Decode(string, Type, out bool)"/>: the common scalar texts (strings without escapes, integers,
/// plain numbers, booleans, canonical times) read without building a JSON document. Each returns false for anything
/// it is unsure of, and the full parser then decides.
/// </summary>
internal static partial class CanonicalJson
{
    /// <summary>
    /// Decodes the JSON forms most values take without parsing a document: a string without escapes, an integer
    /// literal, true or false. Anything else (and anything these forms do not fit) is left to the full parser.
    /// </summary>
    private static bool TryDecodeSimple(string json, Type type, out object? value)
    {
        value = null;
        var t = Nullable.GetUnderlyingType(type) ?? type;
        var span = json.AsSpan();
        if (IsSimpleString(span))
        {
            var text = span[1..^1];
            try
            {
                value = t == typeof(string) ? text.ToString()
                    : t == typeof(Guid) ? Guid.Parse(text)
                    : t == typeof(DateTime) ? (TryParseUtcTime(text, out var time) ? time : null)
                    : null;
            }
            catch (FormatException)
            {
                return false; // the full parser reports it
            }

            return value is not null;
        }

        if (IsIntegerLiteral(span))
        {
            if (t == typeof(long) && long.TryParse(span, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
            {
                value = l;
            }
            else if (t == typeof(int) && int.TryParse(span, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i))
            {
                value = i;
            }
            // -0 is a double of its own (negative zero), which an integer cannot carry.
            else if (t == typeof(double) && !span.StartsWith("-0") && long.TryParse(span, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var d) && Math.Abs(d) < 1L << 53)
            {
                value = (double)d;
            }

            return value is not null;
        }

        if (t == typeof(double) && IsFractionLiteral(span)
            && double.TryParse(span, NumberStyles.Float, CultureInfo.InvariantCulture, out var fraction) && double.IsFinite(fraction))
        {
            value = fraction;
            return true;
        }

        if (t == typeof(bool) && span is "true" or "false")
        {
            value = span is "true";
            return true;
        }

        return false;
    }

    /// <summary>Whether a value the shortcut decoded is written back as the same text.</summary>
    private static bool IsCanonicalSimple(string json, object value)
    {
        switch (value)
        {
            case string or DateTime or bool:
                return true; // no escape needed; the exact canonical time format; true or false
            case long or int:
                return !json.StartsWith("-0", StringComparison.Ordinal);
            case double d:
                Span<char> number = stackalloc char[32];
                return d.TryFormat(number, out var written, "R", CultureInfo.InvariantCulture) && json.AsSpan().SequenceEqual(number[..written]);
            case Guid guid:
                Span<char> text = stackalloc char[36];
                return guid.TryFormat(text, out _, "D") && json.AsSpan(1, json.Length - 2).SequenceEqual(text);
            default:
                return false;
        }
    }

    /// <summary>Whether the text is one JSON string without escapes, a JSON integer literal, true, false or null.</summary>
    private static bool IsSimpleScalar(ReadOnlySpan<char> json)
        => IsSimpleString(json) || IsIntegerLiteral(json) || json is "true" or "false" or "null";

    /// <summary>A JSON string holding no escape, quote or control character: its content is the text between the quotes.</summary>
    private static bool IsSimpleString(ReadOnlySpan<char> json)
        => json.Length >= 2 && json[0] == '"' && json[^1] == '"' && !NeedsEscapes(json[1..^1]);

    /// <summary>A JSON integer literal: an optional minus, then 0 or a digit 1-9 followed by digits.</summary>
    private static bool IsIntegerLiteral(ReadOnlySpan<char> json)
    {
        var digits = json.Length > 0 && json[0] == '-' ? json[1..] : json;
        if (digits.Length == 0 || digits.Length > 18 || (digits[0] == '0' && digits.Length > 1))
        {
            return false;
        }

        foreach (var c in digits)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A JSON number literal with a fraction or an exponent: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?, not an integer.</summary>
    private static bool IsFractionLiteral(ReadOnlySpan<char> json)
    {
        var i = json.Length > 0 && json[0] == '-' ? 1 : 0;
        var intStart = i;
        while (i < json.Length && char.IsAsciiDigit(json[i]))
        {
            i++;
        }

        if (i == intStart || (json[intStart] == '0' && i - intStart > 1))
        {
            return false;
        }

        var integer = i;
        if (i < json.Length && json[i] == '.')
        {
            var fractionStart = ++i;
            while (i < json.Length && char.IsAsciiDigit(json[i]))
            {
                i++;
            }

            if (i == fractionStart)
            {
                return false;
            }
        }

        if (i < json.Length && json[i] is 'e' or 'E')
        {
            i++;
            if (i < json.Length && json[i] is '+' or '-')
            {
                i++;
            }

            var exponentStart = i;
            while (i < json.Length && char.IsAsciiDigit(json[i]))
            {
                i++;
            }

            if (i == exponentStart)
            {
                return false;
            }
        }

        return i == json.Length && i > integer;
    }

    /// <summary>The canonical time text "yyyy-MM-ddTHH:mm:ss.fffffffZ" as a UTC DateTime; false for any other text (the full parser then decides).</summary>
    private static bool TryParseUtcTime(ReadOnlySpan<char> s, out DateTime value)
    {
        value = default;
        if (s.Length != 28 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != '.' || s[27] != 'Z'
            || !TryDigits(s[..4], out var year) || !TryDigits(s.Slice(5, 2), out var month) || !TryDigits(s.Slice(8, 2), out var day)
            || !TryDigits(s.Slice(11, 2), out var hour) || !TryDigits(s.Slice(14, 2), out var minute) || !TryDigits(s.Slice(17, 2), out var second)
            || !TryDigits(s.Slice(20, 7), out var ticks)
            || year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        value = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc).AddTicks(ticks);
        return true;
    }

    private static bool TryDigits(ReadOnlySpan<char> s, out int value)
    {
        value = 0;
        foreach (var c in s)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        return true;
    }
}
