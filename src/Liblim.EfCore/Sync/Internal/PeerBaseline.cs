namespace Liblim.EfCore.Sync.Internal;

/// <summary>
/// What a session knows of what its peer holds of this database's feed: every row as it was at <paramref name="Position"/>,
/// from reads of snapshots whose heads were at most <paramref name="ReadHead"/> (this side's read head for the peer, as it
/// stood once the peer's IHAZ had arrived, then as the session's own batches raise it). A row updated here at a position
/// after the read head, and at or before <paramref name="Position"/> just before that update, is held by the peer as it
/// was before it: the update alone brings it up to date (docs/protocol.md section 5).
/// </summary>
internal readonly record struct PeerBaseline(long Position, long ReadHead)
{
    /// <summary>Whether the peer holds a row as it was before its latest change (at <paramref name="prior"/>; the change at <paramref name="seq"/>).</summary>
    public bool HoldsBefore(long seq, long prior) => prior <= Position && seq > ReadHead;
}
