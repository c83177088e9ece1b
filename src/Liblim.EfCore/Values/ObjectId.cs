using System.Buffers;
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

    private static bool MustEscape(char c) => c is '%' or '/' or ':' or ' ' or < ' ' or '\u007f';

    /// <summary>Every character an id escapes ('%' among them): a text without any is the same escaped and unescaped.</summary>
    private static readonly SearchValues<char> Escaped = SearchValues.Create([.. Enumerable.Range(0, 128).Select(i => (char)i).Where(MustEscape)]);

    private static string Escape(string text)
    {
        if (!text.AsSpan().ContainsAny(Escaped))
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
        if (!text.ContainsAny(Escaped))
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
