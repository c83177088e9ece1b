using System.Buffers;
using System.Text;
using Liblim.EfCore.Protocol;

namespace Liblim.EfCore.Tests.Protocol;

/// <summary>The line-length limit: refused as soon as it is passed, never by looking further; lines at the limit pass.</summary>
public class ParserLimitTests
{
    private const int Limit = 1024;

    /// <summary>An <c>OHNOES</c> line of exactly the given length in bytes (without its line ending).</summary>
    private static string LineOfLength(int length) => "OHNOES internal " + new string('x', length - "OHNOES internal ".Length);

    private static ProtocolException TryParseThrows(ReadOnlySequence<byte> input)
        => Assert.Throws<ProtocolException>(() => ProtocolParser.TryParseMessage(input, Limit, out _, out _, out _));

    private static ReadOnlySequence<byte> Bytes(string text) => new(Encoding.UTF8.GetBytes(text));

    [Fact]
    public void A_line_of_exactly_the_limit_parses()
    {
        var line = LineOfLength(Limit);

        Assert.True(ProtocolParser.TryParseMessage(Bytes(line + "\n"), Limit, out _, out _, out var message));

        Assert.Equal(new ErrorMessage(ProtocolErrorCode.Internal, new string('x', Limit - 16)), message);
    }

    [Fact]
    public void A_line_of_exactly_the_limit_ending_with_crlf_parses()
    {
        var line = LineOfLength(Limit);

        Assert.True(ProtocolParser.TryParseMessage(Bytes(line + "\r\n"), Limit, out var consumed, out _, out var message));

        Assert.Equal(new ErrorMessage(ProtocolErrorCode.Internal, new string('x', Limit - 16)), message);
        Assert.Equal(Limit + 2, Bytes(line + "\r\n").GetOffset(consumed));
    }

    [Fact]
    public void A_line_of_the_limit_whose_crlf_has_not_fully_arrived_waits_for_more()
    {
        var input = Bytes(LineOfLength(Limit) + "\r");

        Assert.False(ProtocolParser.TryParseMessage(input, Limit, out _, out _, out var message));
        Assert.Null(message);
    }

    [Fact]
    public void A_line_one_byte_over_the_limit_is_too_long()
    {
        var error = TryParseThrows(Bytes(LineOfLength(Limit + 1) + "\n"));

        Assert.Equal(ProtocolErrorCode.LineTooLong, error.Code);
    }

    [Fact]
    public void A_line_one_byte_over_the_limit_with_crlf_is_too_long()
    {
        var error = TryParseThrows(Bytes(LineOfLength(Limit + 1) + "\r\n"));

        Assert.Equal(ProtocolErrorCode.LineTooLong, error.Code);
    }

    [Fact]
    public void A_line_over_the_limit_is_too_long_before_its_newline_arrives()
    {
        var error = TryParseThrows(Bytes(LineOfLength(Limit + 2)));

        Assert.Equal(ProtocolErrorCode.LineTooLong, error.Code);
    }

    [Fact]
    public void Limit_plus_one_bytes_not_ending_in_a_carriage_return_are_too_long_before_the_newline_arrives()
    {
        var error = TryParseThrows(Bytes(LineOfLength(Limit + 1)));

        Assert.Equal(ProtocolErrorCode.LineTooLong, error.Code);
    }

    [Fact]
    public void A_line_over_the_limit_is_too_long_even_when_its_newline_is_further_in_the_buffer()
    {
        var error = TryParseThrows(Bytes(LineOfLength(Limit * 3) + "\nUCANHAZ 1\n"));

        Assert.Equal(ProtocolErrorCode.LineTooLong, error.Code);
    }

    [Fact]
    public void A_line_over_the_limit_is_refused_without_reading_past_the_limit()
    {
        // The bytes after the first Limit + 10 are poisoned: reading them fails the test with another exception.
        // (The poison starts a little after the limit's "\r\n" because a sequence sliced at a segment boundary may
        // end at offset 0 of the next segment, and taking even an empty span of poisoned memory fails.)
        var visible = Encoding.UTF8.GetBytes(LineOfLength(Limit + 10));
        using var poisoned = new PoisonedMemory(4096);
        var input = ByteSegment.Sequence(visible, poisoned.Memory);

        var error = TryParseThrows(input);

        Assert.Equal(ProtocolErrorCode.LineTooLong, error.Code);
    }

    [Fact]
    public void The_limit_holds_wherever_the_segments_of_the_input_are_split()
    {
        var waiting = Encoding.UTF8.GetBytes(LineOfLength(Limit) + "\r");
        var tooLong = Encoding.UTF8.GetBytes(LineOfLength(Limit + 1));
        var atLimit = Encoding.UTF8.GetBytes(LineOfLength(Limit) + "\r\n");

        for (var split = 1; split <= Limit + 1; split++)
        {
            Assert.False(ProtocolParser.TryParseMessage(ByteSegment.Sequence(waiting.AsMemory(0, split), waiting.AsMemory(split)), Limit, out _, out _, out _), $"split at {split}");
            Assert.Equal(ProtocolErrorCode.LineTooLong, TryParseThrows(ByteSegment.Sequence(tooLong.AsMemory(0, split), tooLong.AsMemory(split))).Code);
            var complete = ByteSegment.Sequence(atLimit.AsMemory(0, split), atLimit.AsMemory(split));
            Assert.True(ProtocolParser.TryParseMessage(complete, Limit, out var consumed, out _, out _), $"split at {split}");
            Assert.Equal(Limit + 2, complete.GetOffset(consumed));
        }
    }

    [Fact]
    public void A_line_under_the_limit_split_over_many_segments_parses()
    {
        var bytes = Encoding.UTF8.GetBytes(LineOfLength(Limit) + "\r\n");

        var messages = MessageReader.ReadFedInChunks(bytes, chunkSize: 7, maxLineLength: Limit);

        Assert.Equal(new ErrorMessage(ProtocolErrorCode.Internal, new string('x', Limit - 16)), Assert.Single(messages));
    }

    [Fact]
    public void A_too_long_line_arriving_in_small_chunks_is_refused_once_the_limit_is_passed()
    {
        var bytes = Encoding.UTF8.GetBytes(LineOfLength(Limit * 2));
        var pending = new List<ReadOnlyMemory<byte>>();
        var received = 0;

        var error = Assert.Throws<ProtocolException>(() =>
        {
            for (; received < bytes.Length; received += 16)
            {
                pending.Add(bytes.AsMemory(received, 16));
                ProtocolParser.TryParseMessage(ByteSegment.Sequence(pending), Limit, out _, out _, out _);
            }
        });

        Assert.Equal(ProtocolErrorCode.LineTooLong, error.Code);
        Assert.InRange(received + 16, Limit + 1, Limit + 1 + 16);
    }

    [Fact]
    public void Many_short_lines_parse_one_message_at_a_time_each_consuming_exactly_its_line()
    {
        const int count = 200_000;
        var text = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            text.Append(i % 3 == 2 ? "\r\n" : $"UCANHAZ {i}\n");
        }

        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        var input = new ReadOnlySequence<byte>(bytes);
        long offset = 0;
        for (var i = 0; i < count; i++)
        {
            Assert.True(ProtocolParser.TryParseMessage(input.Slice(offset), Limit, out var consumed, out _, out var message), $"line {i} did not parse.");
            var expectedLength = i % 3 == 2 ? 2 : $"UCANHAZ {i}\n".Length;
            Assert.Equal(offset + expectedLength, input.GetOffset(consumed));
            Assert.Equal(i % 3 == 2 ? BatchEndMessage.Instance : (ProtocolMessage)new BatchStartMessage(i), message);
            offset += expectedLength;
        }

        Assert.Equal(bytes.Length, offset);
        Assert.False(ProtocolParser.TryParseMessage(input.Slice(offset), Limit, out _, out _, out _));
    }
}
