using System.Text;
using System.Text.Json;
using Liblim.EfCore.Values;

namespace Liblim.EfCore.Storage.Internal;

/// <summary>
/// The JSON object of column clocks a metadata row keeps (<c>{"&lt;column&gt;":"&lt;clock&gt;",...}</c>, in either of the
/// forms of <see cref="CompactClocks"/>): read on every decode and store of an updated row, so the common form
/// (no escapes, no whitespace) is read without parsing a document.
/// </summary>
internal static class ColumnClocksJson
{
    /// <summary>The members, in order.</summary>
    /// <exception cref="FormatException">The text is not a JSON object of strings.</exception>
    public static List<KeyValuePair<string, string>> Read(string json)
        => TryReadPlain(json) ?? ReadDocument(json);

    /// <summary>The object of the given members, names quoted as canonical JSON.</summary>
    public static string Write(IEnumerable<KeyValuePair<string, string>> members)
    {
        // Sized for the common case (short names, full timestamps), so that it rarely grows.
        var sb = new StringBuilder(members.TryGetNonEnumeratedCount(out var count) ? (count * 64) + 2 : 128).Append('{');
        foreach (var (name, value) in members)
        {
            CanonicalJson.AppendQuoted(sb.Append(sb.Length > 1 ? "," : ""), name).Append(":\"").Append(value).Append('"');
        }

        return sb.Append('}').ToString();
    }

    /// <summary>The members of <c>{"a":"b",...}</c> with no backslash or whitespace anywhere; null for any other text.</summary>
    private static List<KeyValuePair<string, string>>? TryReadPlain(string json)
    {
        if (json.Length < 2 || json[0] != '{' || json[^1] != '}' || json.Contains('\\'))
        {
            return null;
        }

        var members = new List<KeyValuePair<string, string>>(2);
        var i = 1;
        while (i < json.Length - 1)
        {
            if (members.Count > 0 && json[i++] != ',')
            {
                return null;
            }

            if (PlainString(json, ref i) is not { } name || i >= json.Length || json[i++] != ':' || PlainString(json, ref i) is not { } value)
            {
                return null;
            }

            members.Add(KeyValuePair.Create(name, value));
        }

        return i == json.Length - 1 ? members : null;
    }

    /// <summary>A JSON string without escapes or control characters at <paramref name="i"/>, moving past it; null if there is none.</summary>
    private static string? PlainString(string json, ref int i)
    {
        if (i >= json.Length || json[i] != '"')
        {
            return null;
        }

        var end = json.IndexOf('"', i + 1);
        if (end < 0)
        {
            return null;
        }

        var text = json.AsSpan(i + 1, end - i - 1);
        foreach (var c in text)
        {
            if (c < 0x20)
            {
                return null;
            }
        }

        i = end + 1;
        return text.ToString();
    }

    private static List<KeyValuePair<string, string>> ReadDocument(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException($"Column clocks must be a JSON object: {json}");
            }

            return [.. document.RootElement.EnumerateObject().Select(p => KeyValuePair.Create(p.Name, p.Value.GetString()
                ?? throw new FormatException($"Column '{p.Name}' has a null clock: {json}")))];
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new FormatException($"Column clocks must be a JSON object of timestamps: {e.Message}", e);
        }
    }
}
