using System.Buffers;
using System.Text;
using CsCheck;
using Liblim.EfCore.Crdt;
using Liblim.EfCore.Protocol;

namespace Liblim.EfCore.Tests.Protocol;

/// <summary>What the writer puts on the wire: one line per message, in the documented form, read back as written.</summary>
public class WriterTests
{
    private static readonly Guid Client = Guid.Parse("af025bd5-ad21-412c-968b-a7ee58795f56");
    private static readonly Guid Server = Guid.Parse("015e46ca-9ebf-4e47-91e3-ea6186af56cc");
    private const string Nonce = "4f1c9a0e2b7d4c6a8e3f5a1b9c0d2e4f";

    private static string Text(ProtocolMessage message) => Encoding.UTF8.GetString(MessageAssert.Written([message]));

    private static ProtocolMessage ReadBack(ProtocolMessage message)
        => Assert.Single(MessageReader.ReadAll(new ReadOnlySequence<byte>(MessageAssert.Written([message]))));

    [Fact]
    public void A_column_name_is_escaped_as_a_value_is_in_v_in_c_and_in_p()
    {
        var t = new HybridTimestamp(0x019ab697e8000000, Client);
        var later = new HybridTimestamp(0x019ab69c7be00000, Server);
        var name = "Tïtle\u001f\"\u007f😀";
        var state = RowState.Empty("T", "[1]")
            .Insert([KeyValuePair.Create(name, (string?)"\"x\\u001f\""), KeyValuePair.Create("a", (string?)"1"), KeyValuePair.Create("b", (string?)"1")], t)
            .Write([KeyValuePair.Create(name, (string?)"2")], later);
        var message = new RowMessage(state);

        Assert.Equal(
            "T/[1]:{\"t\":\"019ab697e8000000.af025bd5ad21412c968ba7ee58795f56\",\"v\":{\"Tïtle\\u001f\\\"\u007f😀\":2,\"a\":1,\"b\":1}," +
            "\"c\":{\"Tïtle\\u001f\\\"\u007f😀\":\"019ab69c7be00000.015e46ca9ebf4e4791e3ea6186af56cc\"}," +
            "\"p\":{\"Tïtle\\u001f\\\"\u007f😀\":\"019ab697e8000000\"},\"a\":[\"019ab697e8000000\"]}\n",
            Text(message));
        Assert.True(MessageAssert.Same(message, ReadBack(message)), MessageAssert.Show(ReadBack(message)));
    }

    [Theory]
    [InlineData("first\nsecond")]
    [InlineData("first\r\nsecond")]
    [InlineData("first\rsecond")]
    [InlineData("first\u2028second")]
    [InlineData("first\u0085second")]
    public void An_error_text_with_a_line_break_is_written_on_one_line(string text)
    {
        var written = Text(new ErrorMessage(ProtocolErrorCode.Rejected, text));

        Assert.Equal("OHNOES rejected first second\n", written);
        Assert.Equal(new ErrorMessage(ProtocolErrorCode.Rejected, "first second"), ReadBack(new ErrorMessage(ProtocolErrorCode.Rejected, text)));
    }

    [Fact]
    public void An_error_text_of_many_lines_stays_one_message()
    {
        var message = new ErrorMessage(ProtocolErrorCode.Internal, "\nUCANHAZ 1\r\nT/[1]:{}\n\nKTHXBAI\n");

        var read = Assert.IsType<ErrorMessage>(ReadBack(message));

        Assert.Equal(ProtocolErrorCode.Internal, read.Code);
        Assert.Equal(" UCANHAZ 1 T/[1]:{}  KTHXBAI ", read.Text);
    }

    [Fact]
    public void Ihaz_entries_are_written_sorted_by_node_id_text()
    {
        var positions = new Dictionary<Guid, long>
        {
            [Client] = 7,
            [Guid.Parse("ffffffff-0000-0000-0000-000000000000")] = 0,
            [Server] = 12,
            [Guid.Parse("015e46ca-9ebf-4e47-91e3-ea6186af56cb")] = long.MaxValue,
        };

        Assert.Equal(
            "IHAZ {\"015e46ca-9ebf-4e47-91e3-ea6186af56cb\":9223372036854775807,\"015e46ca-9ebf-4e47-91e3-ea6186af56cc\":12,"
            + "\"af025bd5-ad21-412c-968b-a7ee58795f56\":7,\"ffffffff-0000-0000-0000-000000000000\":0}\n",
            Text(new HaveMessage(positions)));
    }

    [Fact]
    public void Ihaz_of_any_nodes_is_written_in_node_id_text_order_and_reads_back_the_same()
    {
        Gen.Select(Gen.Guid, Gen.Long[0, long.MaxValue]).Array[0, 8].Sample(entries =>
        {
            var positions = entries.DistinctBy(e => e.Item1).ToDictionary(e => e.Item1, e => e.Item2);
            var message = new HaveMessage(positions);

            var written = Text(message);

            var order = positions.Keys.Select(k => written.IndexOf(k.ToString("D"), StringComparison.Ordinal)).ToList();
            Assert.DoesNotContain(-1, order);
            Assert.Equal(
                positions.Keys.OrderBy(k => k.ToString("D"), StringComparer.Ordinal),
                positions.Keys.OrderBy(k => written.IndexOf(k.ToString("D"), StringComparison.Ordinal)));
            Assert.True(MessageAssert.Same(message, ReadBack(message)), written);
        }, iter: 500);
    }

    /// <summary>Each kind of message, by the line it is written as.</summary>
    private static readonly Dictionary<string, ProtocolMessage> MessagesByLine = new()
    {
        { "ØHAI 1 af025bd5-ad21-412c-968b-a7ee58795f56 " + Nonce, new HelloMessage(1, Client, Nonce, false) },
        { "ØHAI 1 af025bd5-ad21-412c-968b-a7ee58795f56 " + Nonce + " live", new HelloMessage(1, Client, Nonce, true) },
        { "ØHAI 1 af025bd5-ad21-412c-968b-a7ee58795f56 " + Nonce + " authenticated", new HelloMessage(1, Client, Nonce, false, Authenticated: true) },
        { "ØHAI " + Nonce, new ProofMessage(Nonce) },
        { "IHAZ {}", new HaveMessage(new Dictionary<Guid, long>()) },
        { "IHAZ {\"af025bd5-ad21-412c-968b-a7ee58795f56\":0,\"whole\":true}", new HaveMessage(new Dictionary<Guid, long> { [Client] = 0 }, Whole: true) },
        { "UCANHAZ 0", new BatchStartMessage(0) },
        { "UCANHAZ 9223372036854775807", new BatchStartMessage(long.MaxValue) },
        { "", BatchEndMessage.Instance },
        { "KTHXBAI {\"received\":3,\"applied\":2}", new ByeMessage(3, 2) },
        { "KTHXBAI", new ByeMessage(0, 0) },
        { "OHNOES busy The server has 64 connections; try later.", new ErrorMessage(ProtocolErrorCode.Busy, "The server has 64 connections; try later.") },
        { "OHNOES auth-failed no", new ErrorMessage(ProtocolErrorCode.AuthenticationFailed, "no") },
        { "OHNOES line-too-long x", new ErrorMessage(ProtocolErrorCode.LineTooLong, "x") },
    };

    public static TheoryData<string> Lines() => new(MessagesByLine.Keys);

    [Theory]
    [MemberData(nameof(Lines))]
    public void Each_message_is_written_as_its_documented_line_and_reads_back_the_same(string line)
    {
        var message = MessagesByLine[line];

        Assert.Equal(line + "\n", Text(message));
        Assert.True(MessageAssert.Same(message, ReadBack(message)), MessageAssert.Show(ReadBack(message)));
    }

    [Fact]
    public void Every_error_code_sent_on_the_wire_reads_back_as_itself()
    {
        foreach (var code in Enum.GetValues<ProtocolErrorCode>().Where(c => c != ProtocolErrorCode.Closed))
        {
            var message = new ErrorMessage(code, "why");

            Assert.Equal(message, ReadBack(message));
        }
    }
}
