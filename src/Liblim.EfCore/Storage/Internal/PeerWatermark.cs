namespace Liblim.EfCore.Storage.Internal;

/// <summary>
/// One row of <c>__liblim_peers</c>: how far into a peer's change sequence this database has received and
/// applied. Updated in the same transaction as each applied batch, so a cut-off sync resumes where it stopped.
/// </summary>
internal sealed class PeerWatermark
{
    /// <summary>The peer's node id (32 hex digits).</summary>
    public string PeerId { get; set; } = null!;

    /// <summary>The highest sequence number of the peer's changes applied here.</summary>
    public long ReceivedSeq { get; set; }
}
