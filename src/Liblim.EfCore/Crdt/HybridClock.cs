namespace Liblim.EfCore.Crdt;

/// <summary>
/// The hybrid logical clock rule, in one place. A node's clock is the last ticks it issued or received; the
/// next local reading is the wall clock if that is ahead, otherwise the last reading plus one. Receiving a
/// remote timestamp raises the clock to it, so every later local write orders after everything seen.
/// </summary>
internal static class HybridClock
{
    /// <summary>Ticks for the next local write, given the last ticks issued or seen and the wall clock.</summary>
    public static long Next(long last, long wallMilliseconds)
    {
        var wall = HybridTimestamp.Pack(wallMilliseconds, 0);
        return wall > last ? wall : checked(last + 1);
    }

    /// <summary>The clock after seeing a remote reading.</summary>
    public static long Receive(long last, long remoteTicks) => Math.Max(last, remoteTicks);
}
