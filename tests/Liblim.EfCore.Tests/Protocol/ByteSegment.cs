using System.Buffers;

namespace Liblim.EfCore.Tests.Protocol;

/// <summary>One chunk of received bytes, linked to the next as a pipe links its buffers.</summary>
internal sealed class ByteSegment : ReadOnlySequenceSegment<byte>
{
    private ByteSegment(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    /// <summary>A sequence with one segment per chunk, in order.</summary>
    public static ReadOnlySequence<byte> Sequence(IEnumerable<ReadOnlyMemory<byte>> chunks)
    {
        ByteSegment? first = null, last = null;
        foreach (var chunk in chunks)
        {
            var segment = new ByteSegment(chunk, last is null ? 0 : last.RunningIndex + last.Memory.Length);
            if (last is null)
            {
                first = segment;
            }
            else
            {
                last.Next = segment;
            }

            last = segment;
        }

        return first is null ? ReadOnlySequence<byte>.Empty : new ReadOnlySequence<byte>(first, 0, last!, last!.Memory.Length);
    }

    public static ReadOnlySequence<byte> Sequence(params ReadOnlyMemory<byte>[] chunks) => Sequence((IEnumerable<ReadOnlyMemory<byte>>)chunks);
}
