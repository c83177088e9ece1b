using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Liblim.EfCore.Values;

/// <summary>
/// The one canonical JSON text of every supported column value. Two replicas that hold the same value write
/// the same text, so keys compare as text and values cross providers (SQLite, PostgreSQL) unchanged.
/// See docs/protocol.md for the rules; this class is their implementation.
/// </summary>
internal static partial class CanonicalJson
{
    private static readonly Type[] SupportedTypes =
    [
        typeof(string), typeof(bool), typeof(char), typeof(Guid), typeof(byte[]),
        typeof(sbyte), typeof(byte), typeof(short), typeof(ushort), typeof(int), typeof(uint), typeof(long), typeof(ulong),
        typeof(decimal), typeof(double), typeof(float),
        typeof(DateTime), typeof(DateTimeOffset), typeof(DateOnly), typeof(TimeOnly), typeof(TimeSpan),
    ];

    /// <summary>Whether values of the type (or its nullable form, or an enum) can be replicated.</summary>
    public static bool Supports(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        return t.IsEnum || Array.IndexOf(SupportedTypes, t) >= 0;
    }

    /// <summary>Writes the canonical text of a value of the given type.</summary>
    public static string Encode(object? value, Type type)
    {
        if (value is null)
        {
            return "null";
        }

        var t = Nullable.GetUnderlyingType(type) ?? type;
        if (t.IsEnum)
        {
            return Convert.ToString(Convert.ChangeType(value, Enum.GetUnderlyingType(t), CultureInfo.InvariantCulture), CultureInfo.InvariantCulture)!;
        }

        Span<char> text = stackalloc char[MaxFormattedLength];
        if (TryFormat(value, text, out var written))
        {
            return new string(text[..written]);
        }

        return value switch
        {
            string s => Quote(s),
            bool b => b ? "true" : "false",
            char c => Quote(c.ToString()),
            byte[] bytes => Quote(Convert.ToBase64String(bytes)),
            double d => Number(d),
            float f => Number(f),
            _ => throw new NotSupportedException($"Values of type {value.GetType()} cannot be replicated."),
        };
    }

    /// <summary>Appends the canonical text of a value of the given type, as <see cref="Encode"/> writes it, without making a string where it can.</summary>
    public static StringBuilder Append(StringBuilder sb, object? value, Type type)
    {
        Span<char> text = stackalloc char[MaxFormattedLength];
        return value is not null && TryFormat(value, text, out var written) ? sb.Append(text[..written]) // an enum's value is none of TryFormat's types
            : value is string s ? AppendQuoted(sb, s)
            : sb.Append(Encode(value, type));
    }

    /// <summary>The canonical text of a one-value key: <c>[</c>, the value's text, <c>]</c>; as <see cref="Encode"/> gives it, in one string.</summary>
    public static string EncodeKey(object? value, Type type)
    {
        Span<char> text = stackalloc char[MaxFormattedLength + 2];
        if (value is not null && TryFormat(value, text[1..^1], out var written)) // an enum's value is none of TryFormat's types: Encode writes it
        {
            text[0] = '[';
            text[written + 1] = ']';
            return new string(text[..(written + 2)]);
        }

        return string.Concat("[", Encode(value, type), "]");
    }

    // The longest text TryFormat writes: a DateTimeOffset in quotes (35 characters), a decimal in quotes (31).
    private const int MaxFormattedLength = 48;

    /// <summary>
    /// Writes the canonical text of a value whose text has a bounded length and needs no escapes (integers, decimals,
    /// Guids, dates and times), quotes included, into <paramref name="destination"/>, without making a string; false for
    /// any other value.
    /// </summary>
    private static bool TryFormat(object value, Span<char> destination, out int written)
    {
        var (format, quoted) = value switch
        {
            sbyte or byte or short or ushort or int or uint or long or ulong => ("", false),
            Guid => ("D", true),
            decimal => ("", true),
            DateTime => ("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", true),
            DateTimeOffset => ("yyyy-MM-dd'T'HH:mm:ss.fffffffzzz", true),
            DateOnly => ("yyyy-MM-dd", true),
            TimeOnly => ("HH:mm:ss.fffffff", true),
            TimeSpan => ("c", true),
            _ => ((string?)null, false),
        };
        var formattable = format is null ? null
            : value is DateTime { Kind: DateTimeKind.Local } local ? ToUtc(local) // the others are written as they are
            : (ISpanFormattable)value;
        written = 0;
        if (formattable is null || !formattable.TryFormat(quoted ? destination[1..^1] : destination, out var length, format!.Length == 0 ? default : format, CultureInfo.InvariantCulture))
        {
            return false;
        }

        if (quoted)
        {
            destination[0] = '"';
            destination[length + 1] = '"';
            length += 2;
        }

        written = length;
        return true;
    }

    /// <summary>Reads a value of the given type from its canonical text (or any JSON of the same meaning).</summary>
    /// <exception cref="FormatException">The text is not a value of that type.</exception>
    public static object? Decode(string json, Type type) => Decode(json, type, out _);

    /// <summary>Reads a value of the given type from JSON text, and says whether the text is already its canonical form.</summary>
    /// <param name="json">Canonical text, or any JSON of the same meaning.</param>
    /// <param name="type">The value's type.</param>
    /// <param name="canonical">True when <see cref="Encode"/> of the value gives <paramref name="json"/> back (false when unsure).</param>
    /// <exception cref="FormatException">The text is not a value of that type.</exception>
    public static object? Decode(string json, Type type, out bool canonical)
    {
        if (TryDecodeSimple(json, type, out var simple))
        {
            canonical = IsCanonicalSimple(json, simple!);
            return simple;
        }

        canonical = false;

        try
        {
            using var doc = JsonDocument.Parse(json);
            return Decode(doc.RootElement, type);
        }
        catch (JsonException e)
        {
            throw new FormatException($"'{Shorten(json)}' is not valid JSON.", e);
        }
    }

    /// <summary>Reads a value of the given type from a JSON element.</summary>
    /// <exception cref="FormatException">The element is not a value of that type.</exception>
    public static object? Decode(JsonElement e, Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        if (e.ValueKind == JsonValueKind.Null)
        {
            if (type.IsValueType && underlying is null)
            {
                throw new FormatException($"null is not a value of the non-nullable type {type.Name}.");
            }

            return null;
        }

        var t = underlying ?? type;
        try
        {
            if (t.IsEnum)
            {
                return Enum.ToObject(t, DecodeScalar(e, Enum.GetUnderlyingType(t))!);
            }

            return DecodeScalar(e, t);
        }
        catch (Exception ex) when (ex is InvalidOperationException or OverflowException or ArgumentException or FormatException)
        {
            throw new FormatException($"{Shorten(e.GetRawText())} is not a value of type {t.Name}.", ex);
        }
    }

    /// <summary>Splits key text (a JSON array) into the raw JSON text of each of its values.</summary>
    /// <exception cref="FormatException">The text is not a JSON array of that many values.</exception>
    public static string[] DecodeKeyElements(string key, int count)
    {
        if (count == 1 && key.Length > 2 && key[0] == '[' && key[^1] == ']' && IsSimpleScalar(key.AsSpan(1, key.Length - 2)))
        {
            return [key[1..^1]];
        }

        using var doc = ParseOrThrow(key);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Array || root.GetArrayLength() != count)
        {
            throw new FormatException($"Key {Shorten(key)} is not a JSON array of {count} value(s).");
        }

        return [.. root.EnumerateArray().Select(e => e.GetRawText())];
    }

    /// <summary>Writes a string as a JSON string, escaping only what JSON requires.</summary>
    public static string Quote(string s)
    {
        if (!NeedsEscapes(s))
        {
            return string.Concat("\"", s, "\"");
        }

        var sb = new StringBuilder(s.Length + 2).Append('"');
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                default:
                    if (c < 0x20 || IsLoneSurrogate(s, i))
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        return sb.Append('"').ToString();
    }

    /// <summary>Appends the canonical JSON string of <paramref name="s"/> (what <see cref="Quote"/> gives).</summary>
    public static StringBuilder AppendQuoted(StringBuilder sb, string s)
        => NeedsEscapes(s) ? sb.Append(Quote(s)) : sb.Append('"').Append(s).Append('"');

    /// <summary>Whether a string holds a character its JSON text escapes (or may: any surrogate, which is escaped when alone).</summary>
    private static bool NeedsEscapes(ReadOnlySpan<char> s)
        => s.IndexOfAnyInRange('\0', '\u001f') >= 0 || s.IndexOfAny('"', '\\') >= 0 || s.IndexOfAnyInRange('\ud800', '\udfff') >= 0;

    private static bool IsLoneSurrogate(string s, int i)
    {
        var c = s[i];
        if (char.IsHighSurrogate(c))
        {
            return i + 1 >= s.Length || !char.IsLowSurrogate(s[i + 1]);
        }

        return char.IsLowSurrogate(c) && (i == 0 || !char.IsHighSurrogate(s[i - 1]));
    }

    private static JsonDocument ParseOrThrow(string json)
    {
        try
        {
            return JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new FormatException($"'{Shorten(json)}' is not valid JSON.", e);
        }
    }

    private static object DecodeScalar(JsonElement e, Type t)
    {
        if (t == typeof(string)) return Unquote(e);
        if (t == typeof(bool)) return e.GetBoolean();
        if (t == typeof(char)) return Unquote(e) is { Length: 1 } one ? one[0] : throw new FormatException("expected a string of one character");
        if (t == typeof(Guid)) return Guid.Parse(e.GetString()!);
        if (t == typeof(byte[])) return Convert.FromBase64String(e.GetString()!);
        if (t == typeof(sbyte)) return e.GetSByte();
        if (t == typeof(byte)) return e.GetByte();
        if (t == typeof(short)) return e.GetInt16();
        if (t == typeof(ushort)) return e.GetUInt16();
        if (t == typeof(int)) return e.GetInt32();
        if (t == typeof(uint)) return e.GetUInt32();
        if (t == typeof(long)) return e.GetInt64();
        if (t == typeof(ulong)) return e.GetUInt64();
        if (t == typeof(decimal)) return decimal.Parse(e.GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture);
        if (t == typeof(double)) return e.ValueKind == JsonValueKind.String ? NonFinite(e.GetString()!) : e.GetDouble();
        if (t == typeof(float)) return e.ValueKind == JsonValueKind.String ? (float)NonFinite(e.GetString()!) : e.GetSingle();
        if (t == typeof(DateTime))
        {
            return DateTime.ParseExact(e.GetString()!, "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        }

        if (t == typeof(DateTimeOffset)) return DateTimeOffset.ParseExact(e.GetString()!, "yyyy-MM-dd'T'HH:mm:ss.fffffffzzz", CultureInfo.InvariantCulture);
        if (t == typeof(DateOnly)) return DateOnly.ParseExact(e.GetString()!, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        if (t == typeof(TimeOnly)) return TimeOnly.ParseExact(e.GetString()!, "HH:mm:ss.fffffff", CultureInfo.InvariantCulture);
        if (t == typeof(TimeSpan)) return TimeSpan.ParseExact(e.GetString()!, "c", CultureInfo.InvariantCulture);
        throw new NotSupportedException($"Values of type {t} cannot be replicated.");
    }

    /// <summary>
    /// A JSON string's value, unescaped by hand: System.Text.Json refuses an escaped lone surrogate, which
    /// <see cref="Quote"/> writes for .NET strings that hold one.
    /// </summary>
    private static string Unquote(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.String)
        {
            throw new FormatException($"expected a JSON string, got {e.ValueKind}");
        }

        var raw = e.GetRawText().AsSpan(1, e.GetRawText().Length - 2);
        if (!raw.Contains('\\'))
        {
            return raw.ToString();
        }

        var sb = new StringBuilder(raw.Length);
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] != '\\')
            {
                sb.Append(raw[i]);
                continue;
            }

            var c = raw[++i];
            switch (c)
            {
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'u':
                    sb.Append((char)int.Parse(raw.Slice(i + 1, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
                    i += 4;
                    break;
                default: sb.Append(c); break; // \" \\ \/
            }
        }

        return sb.ToString();
    }

    private static string Number(double d)
        => double.IsNaN(d) ? "\"NaN\""
            : double.IsPositiveInfinity(d) ? "\"Infinity\""
            : double.IsNegativeInfinity(d) ? "\"-Infinity\""
            : d.ToString("R", CultureInfo.InvariantCulture);

    private static string Number(float f)
        => float.IsFinite(f) ? f.ToString("R", CultureInfo.InvariantCulture) : Number((double)f);

    private static double NonFinite(string s) => s switch
    {
        "NaN" => double.NaN,
        "Infinity" => double.PositiveInfinity,
        "-Infinity" => double.NegativeInfinity,
        _ => throw new FormatException($"'{s}' is not a number"),
    };

    private static DateTime ToUtc(DateTime dt) => dt.Kind switch
    {
        DateTimeKind.Local => dt.ToUniversalTime(),
        _ => DateTime.SpecifyKind(dt, DateTimeKind.Utc),
    };

    private static string Shorten(string s) => s.Length <= 80 ? s : string.Concat(s.AsSpan(0, 77), "...");
}
