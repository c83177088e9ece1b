using System.Buffers;

namespace Liblim.EfCore.Tests.Protocol;

/// <summary>Memory of a known length that fails the test as soon as anyone reads its bytes.</summary>
internal sealed class PoisonedMemory(int length) : MemoryManager<byte>
{
    public override Span<byte> GetSpan() => throw new InvalidOperationException("The parser read bytes beyond the line-length limit.");

    public override MemoryHandle Pin(int elementIndex = 0) => throw new InvalidOperationException("The parser read bytes beyond the line-length limit.");

    public override void Unpin()
    {
    }

    public new Memory<byte> Memory => CreateMemory(length);

    protected override void Dispose(bool disposing)
    {
    }
}
