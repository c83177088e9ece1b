using System.Text;

namespace Liblim.EfCore.Storage.Internal;

/// <summary>
/// The stored form of a row's canonical key text (see <see cref="Metadata.Internal.ReplicatedTable.EncodeKey"/>):
/// bytes, one-to-one with the text. The key of a single Guid column, <c>["&lt;guid, lowercase "D" format&gt;"]</c>, is
/// <see cref="GuidMarker"/> and the Guid's 16 bytes (big-endian); any other key is its UTF-8. The marker byte never
/// occurs in UTF-8, so the two forms cannot meet, and distinct keys never have the same bytes.
/// </summary>
internal static class RowKeyBytes
{
    /// <summary>The first byte of the stored form of a single-Guid key.</summary>
    public const byte GuidMarker = 0xFF;

    private const int GuidBytes = 16;

    // The canonical key of a single Guid column: ["3f2a…"], 36 characters of the Guid between the brackets and quotes.
    private const int GuidKeyLength = 36 + 4;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The stored form of canonical key text.</summary>
    /// <exception cref="FormatException">The text is not Unicode (holds a lone surrogate), so has no UTF-8.</exception>
    public static byte[] Encode(string key)
    {
        if (AsGuid(key) is { } guid)
        {
            var bytes = new byte[1 + GuidBytes];
            bytes[0] = GuidMarker;
            guid.TryWriteBytes(bytes.AsSpan(1), bigEndian: true, out _);
            return bytes;
        }

        try
        {
            return StrictUtf8.GetBytes(key);
        }
        catch (EncoderFallbackException e)
        {
            throw new FormatException($"The key {key} is not Unicode text: {e.Message}", e);
        }
    }

    /// <summary>The canonical key text of stored bytes.</summary>
    /// <exception cref="FormatException">The bytes are not a stored key.</exception>
    public static string Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > 0 && bytes[0] == GuidMarker)
        {
            if (bytes.Length != 1 + GuidBytes)
            {
                throw new FormatException($"A stored Guid key has {GuidBytes} bytes after its marker, not {bytes.Length - 1}.");
            }

            return "[\"" + new Guid(bytes[1..], bigEndian: true).ToString("D") + "\"]";
        }

        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new FormatException($"A stored key is not UTF-8: {e.Message}", e);
        }
    }

    /// <summary>The Guid of a key that is exactly one lowercase "D" format Guid; null for any other key.</summary>
    private static Guid? AsGuid(string key)
    {
        if (key.Length != GuidKeyLength || !key.StartsWith("[\"", StringComparison.Ordinal) || !key.EndsWith("\"]", StringComparison.Ordinal))
        {
            return null;
        }

        var text = key.AsSpan(2, 36);
        Span<char> canonical = stackalloc char[36];
        return Guid.TryParseExact(text, "D", out var guid) && guid.TryFormat(canonical, out _, "D") && text.SequenceEqual(canonical) ? guid : null;
    }
}
