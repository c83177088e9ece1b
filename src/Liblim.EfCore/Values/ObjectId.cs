using System.Text;

namespace Liblim.EfCore.Values;

/// <summary>
/// A row's id on the wire: <c>&lt;table&gt;/&lt;key&gt;</c>, where the key is the canonical JSON array of the
/// key's values and both parts percent-encode <c>%</c>, <c>/</c>, <c>:</c>, space and control characters. So an
/// id never holds a colon, a space or a line break, and the first colon of a row line ends it.
/// </summary>
internal static class ObjectId
{
    public static string Encode(string table, string key) => Escape(table) + "/" + Escape(key);

    /// <exception cref="FormatException">The text is not an object id.</exception>
    public static (string Table, string Key) Decode(ReadOnlySpan<char> oid)
    {
        var slash = oid.IndexOf('/');
        if (slash <= 0 || slash == oid.Length - 1 || oid[(slash + 1)..].Contains('/'))
        {
            throw new FormatException("an object id is '<table>/<key>' with both parts non-empty and '/' percent-encoded.");
        }

        return (Unescape(oid[..slash]), Unescape(oid[(slash + 1)..]));
    }

    /// <summary>'%' and every character an id escapes: a text without any is its own unescaped form.</summary>
    private static readonly System.Buffers.SearchValues<char> EscapedOrEscape = System.Buffers.SearchValues.Create(
        "%/: \u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000b\f\r\u000e\u000f\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f\u007f");

    private static bool MustEscape(char c) => c is '%' or '/' or ':' or ' ' or < ' ' or '\u007f';

    private static string Escape(string text)
    {
        if (!text.AsSpan().ContainsAny("%/: ") && !text.Any(c => c is < ' ' or '\u007f'))
        {
            return text;
        }

        var sb = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            if (MustEscape(c))
            {
                sb.Append('%').Append(((int)c).ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }

    private static string Unescape(ReadOnlySpan<char> text)
    {
        if (!text.ContainsAny(EscapedOrEscape))
        {
            return text.ToString(); // most ids: nothing escaped
        }

        var sb = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '%')
            {
                if (i + 2 >= text.Length
                    || text.Slice(i + 1, 2).ContainsAnyInRange('a', 'f')
                    || !byte.TryParse(text.Slice(i + 1, 2), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out var b)
                    || !MustEscape((char)b))
                {
                    throw new FormatException("an object id holds a '%' that is not followed by the two hex digits of an escaped character.");
                }

                sb.Append((char)b);
                i += 2;
            }
            else if (MustEscape(c))
            {
                throw new FormatException($"an object id holds an unescaped character U+{(int)c:X4}.");
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }
}
