using Liblim.EfCore.Values;
using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Liblim.EfCore.Protocol;

/// <summary>Writes protocol lines as UTF-8 into a buffer; it never touches a socket.</summary>
internal static class ProtocolWriter
{
    /// <summary>The options of the writer of row states: names and values escaped only where JSON requires it.</summary>
    internal static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    /// <summary>Writes one message (one line, ending with <c>\n</c>) and returns the bytes written.</summary>
    public static long Write(ProtocolMessage message, IBufferWriter<byte> output) => message switch
    {
        HelloMessage m => Line(output, $"{ProtocolSyntax.Hello} {m.Version.ToString(CultureInfo.InvariantCulture)} {m.Node:D} {m.Nonce}{(m.Live ? " " + ProtocolSyntax.LiveFlag : "")}{(m.Authenticated ? " " + ProtocolSyntax.AuthenticatedFlag : "")}"),
        ProofMessage m => Line(output, $"{ProtocolSyntax.Hello} {m.Proof}"),
        HaveMessage m => Line(output, $"{ProtocolSyntax.Have} {{{string.Join(',', m.Positions.OrderBy(p => p.Key.ToString("D"), StringComparer.Ordinal).Select(p => $"\"{p.Key:D}\":{p.Value.ToString(CultureInfo.InvariantCulture)}").Concat(m.Whole ? [$"\"{ProtocolSyntax.WholeMember}\":true"] : []))}}}"),
        BatchStartMessage m => Line(output, $"{ProtocolSyntax.Batch} {m.Through.ToString(CultureInfo.InvariantCulture)}"),
        RowMessage m => Row(output, m),
        EvictMessage m => Line(output, $"{ProtocolSyntax.Evict} {ObjectId.Encode(m.Table, m.Key)}"),
        RefusalMessage m => Line(output, $"{ProtocolSyntax.Refuse} {ObjectId.Encode(m.Table, m.Key)} {OneLine(m.Reason)}"),
        BatchEndMessage => Line(output, ""),
        ByeMessage { Received: 0, Applied: 0 } => Line(output, ProtocolSyntax.Bye), // the counts are optional, and zero when absent
        ByeMessage m => Line(output, $"{ProtocolSyntax.Bye} {{\"received\":{m.Received.ToString(CultureInfo.InvariantCulture)},\"applied\":{m.Applied.ToString(CultureInfo.InvariantCulture)}}}"),
        ErrorMessage m => Line(output, $"{ProtocolSyntax.Error} {ProtocolSyntax.CodeName(m.Code)} {OneLine(m.Text)}"),
        _ => throw new ArgumentOutOfRangeException(nameof(message), message, "Not a protocol message."),
    };

    private static long Row(IBufferWriter<byte> output, RowMessage message)
    {
        var oid = ObjectId.Encode(message.State.Table, message.State.Key);
        var oidLength = Encoding.UTF8.GetByteCount(oid);
        var span = output.GetSpan(oidLength + 1);
        Encoding.UTF8.GetBytes(oid, span);
        span[oidLength] = (byte)':';
        output.Advance(oidLength + 1);

        // One writer per thread, pointed at each line's output in turn: a sync writes a row per line.
        var json = t_json ??= new Utf8JsonWriter(output, JsonOptions);
        json.Reset(output);
        RowStateJson.Write(json, message.State);
        json.Flush();
        var jsonLength = json.BytesCommitted;
        json.Reset(Stream.Null); // holds no reference to the output once the line is written
        output.Write("\n"u8);
        return oidLength + 1 + jsonLength + 1;
    }

    [ThreadStatic]
    private static Utf8JsonWriter? t_json;

    private static long Line(IBufferWriter<byte> output, string text)
    {
        var length = Encoding.UTF8.GetByteCount(text);
        var span = output.GetSpan(length + 1);
        Encoding.UTF8.GetBytes(text, span);
        span[length] = (byte)'\n';
        output.Advance(length + 1);
        return length + 1;
    }

    /// <summary>An error text cannot break the line it is on.</summary>
    private static string OneLine(string text) => text.ReplaceLineEndings(" ");
}
