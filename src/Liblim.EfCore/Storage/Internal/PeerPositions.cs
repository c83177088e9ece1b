namespace Liblim.EfCore.Storage.Internal;

/// <summary>
/// What a sync session reads of its own database before it says IHAZ, as of one moment.
/// </summary>
/// <param name="NodeId">The node id in use (null when the state row does not exist).</param>
/// <param name="Head">The last position of this database's own feed.</param>
/// <param name="Watermark">How far into the peer's feed this database has applied.</param>
/// <param name="Fence">
/// The highest position of this database's feed it may have handed to the peer under this node id: 0 when it has
/// recorded the peer but handed it nothing; null when it has never recorded the peer, or an older version recorded it
/// without one. A peer never recorded that names a position (a replica that took a new node id keeps how far it had
/// applied this feed) is checked against the head: it may well know this feed, under its old id.
/// </param>
/// <param name="ReadHead">
/// At least the head of every feed snapshot a batch handed to the peer was read from (<see cref="Metadata.Internal.PeerWatermark.ReadHead"/>):
/// 0 when it has recorded none; null when an older version recorded the peer without one.
/// </param>
/// <param name="Rejoining">Whether the peer is rejoining after deleted rows were collected here (<see cref="Metadata.Internal.PeerWatermark.Rejoining"/>).</param>
/// <param name="Collected">The greatest position of a deleted row collected here (0 when none has been).</param>
/// <param name="ReadAt">When the positions were read, by the configured clock.</param>
/// <param name="Counted">
/// Whether the peer counts for collecting deleted rows with what it last said (heard from within half of
/// <c>ForgetPeersAfter</c>, so that it still counts when a session begun now ends): what it says now can wait for the
/// session's record. Otherwise it is recorded at once, so that it counts while the session runs.
/// </param>
internal sealed record PeerPositions(Guid? NodeId, long Head, long Watermark, long? Fence, long? ReadHead, bool Rejoining = false, long Collected = 0, DateTimeOffset ReadAt = default, bool Counted = false)
{
    /// <summary>
    /// Whether a peer that has applied this feed up to <paramref name="position"/> may still hold as alive rows deleted and
    /// collected here: it had not applied the delete of each of them.
    /// </summary>
    public bool IsBehindCollection(long position) => position < Collected;

    /// <summary>
    /// Whether a peer that has applied this database's feed up to <paramref name="claimed"/> knows a history this
    /// database continues: it cannot have been handed more than the fence (the head, where no fence was recorded).
    /// </summary>
    public bool Continues(long claimed) => claimed <= (Fence ?? Head);
}
