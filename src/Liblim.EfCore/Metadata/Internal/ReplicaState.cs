namespace Liblim.EfCore.Metadata.Internal;

/// <summary>
/// The single row of <c>__liblim_state</c>: this database's node id, its change sequence and its hybrid
/// logical clock. Every write transaction updates it, which serializes sequence and clock allocation.
/// </summary>
internal sealed class ReplicaState
{
    /// <summary>Always 1.</summary>
    public int Id { get; set; }

    /// <summary>This database's node id (32 hex digits); set when first used.</summary>
    public string? NodeId { get; set; }

    /// <summary>The last change sequence number issued.</summary>
    public long Seq { get; set; }

    /// <summary>The last clock ticks issued or received.</summary>
    public long Clock { get; set; }

    /// <summary>
    /// The configured node id (option or <c>LIBLIM_INSTANCE_ID</c>) that a rotation retired, if one did: while it is still
    /// configured, <see cref="NodeId"/> is used instead (see <c>ShadowStore.RotateAsync</c>).
    /// </summary>
    public string? RetiredNodeId { get; set; }

    /// <summary>
    /// The greatest feed position of a deleted row collected here (null when none has been). A peer whose position in this
    /// feed is below it may hold a row collected here as alive, and rejoins (see <c>Writes/DeletedRowCollection</c>).
    /// </summary>
    public long? CollectedSeq { get; set; }
}
