namespace Liblim.EfCore.Metadata.Internal;

/// <summary>
/// One row of <c>__liblim_peers</c>: how far into a peer's change sequence this database has received and
/// applied, updated in the same transaction as each applied batch, so a cut-off sync resumes where it stopped; and how
/// far into its own sequence it has handed out to that peer, recorded before it hands it out.
/// </summary>
internal sealed class PeerWatermark
{
    /// <summary>The peer's node id (32 hex digits).</summary>
    public string PeerId { get; set; } = null!;

    /// <summary>The highest sequence number of the peer's changes applied here.</summary>
    public long ReceivedSeq { get; set; }

    /// <summary>
    /// The fence: the highest sequence number of this database's own changes that it may have handed to the peer, under
    /// its current node id. Null in rows an older version wrote (the head stands in for it then).
    /// </summary>
    public long? SentSeq { get; set; }

    /// <summary>
    /// The read head: at least the head of this database's feed as it stood when each batch it has sent the peer under its
    /// current node id was read. Raised with the fence, before any batch read at a later head is sent. Null in rows an
    /// older version wrote, which kept no such bound: this database then sends the peer no update alone (docs/protocol.md
    /// section 5) until it has recorded one.
    /// </summary>
    public long? ReadHead { get; set; }

    /// <summary>
    /// Who the peer is, where a transport authenticated it (a hub's user: its <c>sub</c>, name identifier or name): the
    /// node id is bound to that user at its first session, and refused to any other. Null for peers that prove a secret.
    /// </summary>
    public string? Owner { get; set; }

    /// <summary>When the last session with the peer synced without an error (UTC, round-trip text); null before any.</summary>
    public string? LastSync { get; set; }

    /// <summary>Where the last session with the peer was with: the address this database connected to, or the peer connected from.</summary>
    public string? Address { get; set; }

    /// <summary>Why the last session with the peer failed, as this side logged it; null when it did not.</summary>
    public string? LastError { get; set; }

    /// <summary>
    /// How far into this database's feed the peer had applied when it last said so (its IHAZ); null before it has. Deleted
    /// rows are collected only up to the least of the positions of the peers not forgotten.
    /// </summary>
    public long? AckedSeq { get; set; }

    /// <summary>When the peer last said how far it had applied (UTC, round-trip text): a peer silent longer than <c>ForgetPeersAfter</c> is forgotten.</summary>
    public string? AckedAt { get; set; }

    /// <summary>
    /// Whether the peer is rejoining: it had applied less of this feed than has been collected, so it may still hold as
    /// alive rows deleted and collected here. Until it has sent its whole feed once, its add tags are checked against what
    /// was collected. Null or false otherwise.
    /// </summary>
    public bool? Rejoining { get; set; }
}
