using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text;
using System.Text.Unicode;
using Liblim.EfCore.Values;

namespace Liblim.EfCore.Protocol;

/// <summary>
/// Parses protocol lines from bytes. It never touches a socket: the connection hands it what has arrived and
/// advances its reader by what the parser consumed. Lines end with <c>\n</c> (a preceding <c>\r</c> is
/// dropped); a line longer than the limit is refused before the parser looks further for its end.
/// </summary>
internal static class ProtocolParser
{

    /// <summary>
    /// Parses the first complete line of <paramref name="input"/>. Returns false when no complete line has
    /// arrived yet: then nothing is consumed and everything is examined.
    /// </summary>
    /// <exception cref="ProtocolException">The line is too long or malformed.</exception>
    public static bool TryParseMessage(in ReadOnlySequence<byte> input, int maxLineLength, out SequencePosition consumed, out SequencePosition examined, out ProtocolMessage? message)
    {
        // Look for the end of the line only within the limit (and its "\r\n").
        var window = input.Length > maxLineLength + 2L ? input.Slice(0, maxLineLength + 2L) : input;
        var newline = window.PositionOf((byte)'\n');
        if (newline is null)
        {
            if (window.Length > maxLineLength + 1L || (window.Length == maxLineLength + 1L && window.Slice(maxLineLength).FirstSpan[0] != (byte)'\r'))
            {
                throw new ProtocolException(ProtocolErrorCode.LineTooLong, $"A line is longer than the limit of {maxLineLength} bytes.");
            }

            consumed = input.Start;
            examined = input.End;
            message = null;
            return false;
        }

        var line = input.Slice(0, newline.Value);
        consumed = examined = input.GetPosition(1, newline.Value);
        if (line.Length > 0 && EndsWithCarriageReturn(line))
        {
            line = line.Slice(0, line.Length - 1);
        }

        if (line.Length > maxLineLength)
        {
            throw new ProtocolException(ProtocolErrorCode.LineTooLong, $"A line is longer than the limit of {maxLineLength} bytes.");
        }

        message = ParseLine(line.IsSingleSegment ? line.First : line.ToArray());
        return true;
    }

    /// <summary>Parses one line, without its line ending.</summary>
    public static ProtocolMessage ParseLine(ReadOnlyMemory<byte> line)
    {
        if (line.IsEmpty)
        {
            return BatchEndMessage.Instance;
        }

        var bytes = line.Span;
        if (!Utf8.IsValid(bytes))
        {
            throw new ProtocolException(ProtocolErrorCode.BadLine, "A line is not valid UTF-8.");
        }

        // ':' and ' ' are ASCII: found among the bytes, so that a row line's JSON is not decoded to text (the parser reads its bytes).
        var colon = bytes.IndexOf((byte)':');
        var space = bytes.IndexOf((byte)' ');
        if (colon > 0 && (space < 0 || colon < space))
        {
            return ParseRow(Encoding.UTF8.GetString(bytes[..colon]), line[(colon + 1)..]);
        }

        var text = Encoding.UTF8.GetString(bytes);
        space = text.IndexOf(' ', StringComparison.Ordinal);
        var verb = space < 0 ? text : text[..space];
        var rest = space < 0 ? "" : text[(space + 1)..];
        return verb switch
        {
            ProtocolSyntax.Hello => ParseHello(rest),
            ProtocolSyntax.Have => ParseHave(rest),
            ProtocolSyntax.Batch => new BatchStartMessage(ParsePosition(rest, ProtocolSyntax.Batch)),
            ProtocolSyntax.Bye => ParseBye(rest),
            ProtocolSyntax.Evict => ParseEvict(rest),
            ProtocolSyntax.Refuse => ParseRefusal(rest),
            ProtocolSyntax.Error => ParseError(rest),
            _ => throw new ProtocolException(ProtocolErrorCode.UnknownVerb, $"A line starts with '{Shorten(verb)}', which is not a verb of the liblim protocol (ØHAI, IHAZ, UCANHAZ, NOMOAR, NOPE, KTHXBAI, OHNOES) nor a row '<table>/<key>:<json>'."),
        };
    }

    /// <summary>A row line: its object id (before the first ':'), and the JSON of its state (after).</summary>
    private static ProtocolMessage ParseRow(string oid, ReadOnlyMemory<byte> json)
    {
        try
        {
            var (table, key) = ObjectId.Decode(oid);
            return new RowMessage(RowStateReader.Read(table, key, json.Span));
        }
        catch (FormatException e)
        {
            throw new ProtocolException(ProtocolErrorCode.BadRow, $"A row line is malformed: {e.Message} (row '{Shorten(oid)}').", innerException: e);
        }
    }

    private static EvictMessage ParseEvict(string rest)
    {
        var (table, key) = ParseOid(rest, ProtocolSyntax.Evict);
        return new EvictMessage(table, key);
    }

    private static RefusalMessage ParseRefusal(string rest)
    {
        var space = rest.IndexOf(' ', StringComparison.Ordinal);
        var (table, key) = ParseOid(space < 0 ? rest : rest[..space], ProtocolSyntax.Refuse);
        return new RefusalMessage(table, key, space < 0 ? "" : rest[(space + 1)..]);
    }

    /// <summary>The row a verb's oid names; <c>bad-row</c> when it names none.</summary>
    private static (string Table, string Key) ParseOid(string oid, string verb)
    {
        try
        {
            return ObjectId.Decode(oid);
        }
        catch (FormatException e)
        {
            throw new ProtocolException(ProtocolErrorCode.BadRow, $"{verb} names no row: {e.Message} ('{Shorten(oid)}').", innerException: e);
        }
    }

    private static ProtocolMessage ParseHello(string rest)
    {
        var parts = rest.Split(' ');
        if (parts.Length == 1)
        {
            return parts[0].Length == HandshakeProof.ProofHexLength && AsciiText.IsLowerHex(parts[0])
                ? new ProofMessage(parts[0])
                : throw Bad($"ØHAI's proof is not {HandshakeProof.ProofHexLength} lowercase hex digits.");
        }

        if (parts.Length is < 3 or > 5)
        {
            throw Bad($"ØHAI is 'ØHAI <version> <node-id> <nonce> [live] [authenticated]' or 'ØHAI <proof>'.");
        }

        if (!int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var version) || version < 1)
        {
            throw Bad($"ØHAI's version '{Shorten(parts[0])}' is not a positive integer.");
        }

        if (!TryParseNode(parts[1], out var node))
        {
            throw Bad($"ØHAI's node id '{Shorten(parts[1])}' is not a UUID.");
        }

        if (parts[2].Length != HandshakeProof.NonceHexLength || !AsciiText.IsLowerHex(parts[2]))
        {
            throw Bad($"ØHAI's nonce is not {HandshakeProof.NonceHexLength} lowercase hex digits.");
        }

        var flags = parts[3..];
        foreach (var flag in flags)
        {
            if (flag is not (ProtocolSyntax.LiveFlag or ProtocolSyntax.AuthenticatedFlag))
            {
                throw Bad($"ØHAI's flag '{Shorten(flag)}' is unknown (the flags are 'live' and 'authenticated').");
            }
        }

        if (flags.Distinct(StringComparer.Ordinal).Count() != flags.Length)
        {
            throw Bad("ØHAI names a flag twice.");
        }

        return new HelloMessage(version, node, parts[2], flags.Contains(ProtocolSyntax.LiveFlag), flags.Contains(ProtocolSyntax.AuthenticatedFlag));
    }

    private static HaveMessage ParseHave(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 2 });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw Bad("IHAZ takes a JSON object of node ids to feed positions.");
            }

            var positions = new Dictionary<Guid, long>();
            bool? whole = null;
            foreach (var member in document.RootElement.EnumerateObject())
            {
                if (member.Name == ProtocolSyntax.WholeMember)
                {
                    whole = whole is null && member.Value.ValueKind is JsonValueKind.True or JsonValueKind.False
                        ? member.Value.GetBoolean()
                        : throw Bad($"IHAZ's \"{ProtocolSyntax.WholeMember}\" is given twice or is not true or false.");
                    continue;
                }

                if (!TryParseNode(member.Name, out var node))
                {
                    throw Bad($"IHAZ's key '{Shorten(member.Name)}' is neither a node id (a UUID) nor \"{ProtocolSyntax.WholeMember}\".");
                }

                if (member.Value.ValueKind != JsonValueKind.Number || !member.Value.TryGetInt64(out var position) || position < 0)
                {
                    throw Bad($"IHAZ's position for {node} is not a non-negative integer.");
                }

                if (!positions.TryAdd(node, position))
                {
                    throw Bad($"IHAZ names node {node} twice.");
                }
            }

            return new HaveMessage(positions, whole ?? false);
        }
        catch (JsonException e)
        {
            throw new ProtocolException(ProtocolErrorCode.BadLine, $"IHAZ's JSON is malformed: {e.Message}", innerException: e);
        }
    }

    private static long ParsePosition(string text, string verb)
        => long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var position)
            ? position
            : throw Bad($"{verb} takes one non-negative integer, the feed position the batch reaches; got '{Shorten(text)}'.");

    private static ByeMessage ParseBye(string rest)
    {
        if (rest.Length == 0)
        {
            return new ByeMessage(0, 0);
        }

        try
        {
            using var document = JsonDocument.Parse(rest);
            long received = 0, applied = 0;
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw Bad("KTHXBAI takes nothing or a JSON object {\"received\":n,\"applied\":n}.");
            }

            foreach (var member in document.RootElement.EnumerateObject())
            {
                if (member.Name is not ("received" or "applied"))
                {
                    continue; // members added by later versions are ignored, whatever they hold
                }

                if (member.Value.ValueKind != JsonValueKind.Number || !member.Value.TryGetInt64(out var n) || n < 0)
                {
                    throw Bad($"KTHXBAI's '{member.Name}' is not a non-negative integer.");
                }

                (received, applied) = member.Name == "received" ? (n, applied) : (received, n);
            }

            return new ByeMessage(received, applied);
        }
        catch (JsonException e)
        {
            throw new ProtocolException(ProtocolErrorCode.BadLine, $"KTHXBAI's JSON is malformed: {e.Message}", innerException: e);
        }
    }

    private static ErrorMessage ParseError(string rest)
    {
        var space = rest.IndexOf(' ', StringComparison.Ordinal);
        var code = space < 0 ? rest : rest[..space];
        if (code.Length == 0)
        {
            throw Bad("OHNOES is 'OHNOES <code> <message>'.");
        }

        return new ErrorMessage(ProtocolSyntax.CodeOf(code), space < 0 ? "" : rest[(space + 1)..]);
    }

    /// <summary>A node id: a UUID in 8-4-4-4-12 form, lowercase.</summary>
    private static bool TryParseNode(string text, out Guid node)
    {
        node = default;
        return text.Length == 36 && !text.Any(char.IsAsciiLetterUpper) && Guid.TryParseExact(text, "D", out node);
    }

    private static bool EndsWithCarriageReturn(in ReadOnlySequence<byte> line)
        => line.Slice(line.Length - 1).FirstSpan[0] == (byte)'\r';

    private static ProtocolException Bad(string message) => new(ProtocolErrorCode.BadLine, message);

    /// <summary>Peer text quoted in an error message, cut short so a hostile peer cannot flood logs.</summary>
    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
