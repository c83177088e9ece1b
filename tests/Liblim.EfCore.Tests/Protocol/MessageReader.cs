using System.Buffers;
using Liblim.EfCore.Protocol;

namespace Liblim.EfCore.Tests.Protocol;

/// <summary>Drives <see cref="ProtocolParser.TryParseMessage"/> the way a connection drives it from a pipe.</summary>
internal static class MessageReader
{
    /// <summary>The documented default line-length limit (1 MiB).</summary>
    public const int DefaultLimit = 1 << 20;

    /// <summary>Every message of input that holds only complete lines; fails if bytes are left over.</summary>
    public static List<ProtocolMessage> ReadAll(ReadOnlySequence<byte> input, int maxLineLength = DefaultLimit)
    {
        var messages = new List<ProtocolMessage>();
        input = ReadAvailable(input, maxLineLength, messages);
        Assert.True(input.IsEmpty, $"{input.Length} bytes were left unparsed at the end of the input.");
        return messages;
    }

    /// <summary>
    /// Feeds the bytes in chunks of the given size, as a pipe would deliver them: after each chunk it parses as
    /// many messages as it can and keeps the unconsumed bytes, one segment per chunk received.
    /// </summary>
    public static List<ProtocolMessage> ReadFedInChunks(byte[] bytes, int chunkSize, int maxLineLength = DefaultLimit)
    {
        var messages = new List<ProtocolMessage>();
        var pending = new List<ReadOnlyMemory<byte>>();
        for (var offset = 0; offset < bytes.Length; offset += chunkSize)
        {
            pending.Add(bytes.AsMemory(offset, Math.Min(chunkSize, bytes.Length - offset)));
            var rest = ReadAvailable(ByteSegment.Sequence(pending), maxLineLength, messages);
            pending.Clear();
            foreach (var memory in rest)
            {
                pending.Add(memory);
            }
        }

        Assert.True(pending.Sum(m => m.Length) == 0, $"{pending.Sum(m => m.Length)} bytes were left unparsed at the end of the input.");
        return messages;
    }

    /// <summary>Parses complete lines off the front of input; returns what is left.</summary>
    private static ReadOnlySequence<byte> ReadAvailable(ReadOnlySequence<byte> input, int maxLineLength, List<ProtocolMessage> messages)
    {
        while (true)
        {
            if (!ProtocolParser.TryParseMessage(input, maxLineLength, out var consumed, out var examined, out var message))
            {
                Assert.Equal(0, input.GetOffset(consumed) - input.GetOffset(input.Start));
                Assert.Equal(input.Length, input.GetOffset(examined) - input.GetOffset(input.Start));
                Assert.Null(message);
                return input;
            }

            Assert.NotNull(message);
            Assert.True(input.GetOffset(examined) >= input.GetOffset(consumed), "examined is before consumed.");
            messages.Add(message);
            input = input.Slice(consumed);
        }
    }
}
