namespace Liblim.EfCore.Metadata.Internal;

/// <summary>
/// One row of <c>__liblim_nodes</c>: a node id this database has seen and the number that stands for it in the stored
/// timestamps and sources of <c>__liblim_rows</c> (see <c>CompactShadowRow</c>). Numbers are handed out as
/// max + 1 under the state row's lock, are local to the database, and never change.
/// </summary>
/// <remarks>Mapped by <see cref="Metadata.Conventions.ShadowTablesConvention"/>; read and written with set-based SQL only.</remarks>
internal sealed class KnownNode
{
    /// <summary>The node's local number, from 1.</summary>
    public int Number { get; set; }

    /// <summary>The node id, as 32 lowercase hex digits.</summary>
    public string NodeId { get; set; } = null!;

    /// <summary>
    /// The greatest ticks of this node's add tags among the deleted rows this database has collected (null when none):
    /// a tag of this node at or below it that a peer still rejoining after the collection sends as alive may be one of
    /// them (see <c>Crdt/CollectedTags</c>).
    /// </summary>
    public long? CollectedTicks { get; set; }
}
