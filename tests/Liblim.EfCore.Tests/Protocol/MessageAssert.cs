using System.Buffers;
using Liblim.EfCore.Crdt;
using Liblim.EfCore.Protocol;
using Liblim.EfCore.Tests.Crdt;

namespace Liblim.EfCore.Tests.Protocol;

/// <summary>Compares parsed messages by content (records holding collections compare those by reference).</summary>
internal static class MessageAssert
{
    public static void Equal(IReadOnlyList<ProtocolMessage> expected, IReadOnlyList<ProtocolMessage> actual, string context = "")
    {
        Assert.True(expected.Count == actual.Count, $"{context}expected {expected.Count} messages, got {actual.Count}.");
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.True(Same(expected[i], actual[i]), $"{context}message {i} differs:\n  expected {Show(expected[i])}\n  actual   {Show(actual[i])}");
        }
    }

    public static bool Same(ProtocolMessage expected, ProtocolMessage actual) => (expected, actual) switch
    {
        (RowMessage e, RowMessage a) => e.State.SameAs(a.State),
        (HaveMessage e, HaveMessage a) => e.Positions.Count == a.Positions.Count && e.Whole == a.Whole
                                          && e.Positions.All(p => a.Positions.TryGetValue(p.Key, out var v) && v == p.Value),
        _ => expected.Equals(actual),
    };

    public static string Show(ProtocolMessage message) => message switch
    {
        RowMessage m => $"Row {m.State.Table} {m.State.Key} {RowStateGen.Show(m.State)}",
        HaveMessage m => "Have {" + string.Join(", ", m.Positions.OrderBy(p => p.Key).Select(p => $"{p.Key}: {p.Value}")) + "}" + (m.Whole ? " whole" : ""),
        _ => message.ToString(),
    };

    /// <summary>The bytes <see cref="ProtocolWriter"/> writes for the messages, one line each.</summary>
    public static byte[] Written(IEnumerable<ProtocolMessage> messages)
    {
        var output = new ArrayBufferWriter<byte>();
        foreach (var message in messages)
        {
            var before = output.WrittenCount;
            var reported = ProtocolWriter.Write(message, output);
            Assert.Equal(output.WrittenCount - before, reported);
        }

        return output.WrittenSpan.ToArray();
    }

    /// <summary>The one message a single line (without its line ending) parses to.</summary>
    public static ProtocolMessage ParseLine(string line) => ProtocolParser.ParseLine(System.Text.Encoding.UTF8.GetBytes(line));

    /// <summary>Writes one row state on a line and parses the line back.</summary>
    public static RowState RoundTrip(RowState state)
    {
        var bytes = Written([new RowMessage(state)]);
        var message = Assert.Single(MessageReader.ReadAll(new ReadOnlySequence<byte>(bytes)));
        return Assert.IsType<RowMessage>(message).State;
    }
}
