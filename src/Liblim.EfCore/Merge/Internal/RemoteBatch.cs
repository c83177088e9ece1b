using Liblim.EfCore.Crdt;

namespace Liblim.EfCore.Merge.Internal;

/// <summary>
/// Row states from one peer, to apply atomically (alone, or as one savepoint of an <c>ApplyGroup</c>). <see cref="Watermark"/> is how far into the peer's
/// change sequence the batch reaches; it is stored with the batch, so a cut-off sync resumes after it.
/// </summary>
internal sealed record RemoteBatch(string PeerName, Guid PeerNode, IReadOnlyList<RowState> States, long? Watermark)
{
    /// <summary>Rows the peer, a server, says have left this replica's scope there: forgotten here with the batch.</summary>
    public IReadOnlyList<Protocol.EvictMessage> Evictions { get; init; } = [];

    /// <summary>Writes of this replica's that the peer, a server, refused: reported with the batch's changes.</summary>
    public IReadOnlyList<RefusedWrite> Refusals { get; init; } = [];

    /// <summary>
    /// The peer's scope, where this database serves it by scope: it then applies only the writes the scope allows, and
    /// records the batch's rows as rows the peer holds.
    /// </summary>
    public Scopes.Internal.PeerScope? Scope { get; init; }

    /// <summary>
    /// Whether the peer is rejoining after deleted rows were collected here: its add tags are checked against what was
    /// collected (<see cref="Crdt.CollectedTags"/>) before they are merged.
    /// </summary>
    public bool Rejoining { get; init; }

    /// <summary>
    /// How far into this database's feed the peer said it had applied (its IHAZ), when known: a peer below what has been
    /// collected here by the time the batch is applied (a collection that ran since its IHAZ) has its add tags checked too.
    /// </summary>
    public long? PeerPosition { get; init; }
}
