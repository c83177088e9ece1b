namespace Liblim.EfCore;

/// <summary>
/// A peer sent a timestamp further ahead of this node's wall clock than <c>MaxClockDrift</c> allows. Nothing
/// from that batch was applied. Fix the clock of the node that is ahead (or of this one, if it is behind);
/// the peer's changes are applied at the next sync once the clocks agree.
/// </summary>
public sealed class ClockDriftException : LiblimException
{
    /// <summary>Creates the exception.</summary>
    public ClockDriftException(string peer, Guid origin, TimeSpan drift, TimeSpan maxDrift)
        : base($"Peer {peer} sent a change stamped by node {origin} {drift.TotalSeconds:F1} s ahead of this node's clock; " +
               $"at most {maxDrift.TotalSeconds:F1} s is allowed (MaxClockDrift). Nothing from this batch was applied. " +
               "Correct the clock of the node that is off, or raise MaxClockDrift, and sync again.")
    {
        Peer = peer;
        Origin = origin;
        Drift = drift;
        MaxDrift = maxDrift;
    }

    /// <summary>The peer that sent the batch.</summary>
    public string Peer { get; }

    /// <summary>The node whose timestamp was ahead.</summary>
    public Guid Origin { get; }

    /// <summary>How far the timestamp was ahead of the local wall clock.</summary>
    public TimeSpan Drift { get; }

    /// <summary>The configured limit.</summary>
    public TimeSpan MaxDrift { get; }
}
