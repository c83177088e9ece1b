namespace Liblim.EfCore;

/// <summary>
/// Marks an entity type as replicated, the same as calling <c>modelBuilder.Entity&lt;T&gt;().IsReplicated(kind)</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = true)]
public sealed class ReplicatedAttribute : Attribute
{
    /// <summary>Replicates the entity with <see cref="ReplicationKind.LastWriterWins"/>.</summary>
    public ReplicatedAttribute()
        : this(ReplicationKind.LastWriterWins)
    {
    }

    /// <summary>Replicates the entity with the given kind.</summary>
    public ReplicatedAttribute(ReplicationKind kind) => Kind = kind;

    /// <summary>How the entity's rows merge.</summary>
    public ReplicationKind Kind { get; }

    /// <summary>
    /// Which row keeps a value of a unique index when two replicas wrote it into different rows; the same as
    /// calling <c>OnUniqueConflict(policy)</c>. <see cref="UniqueConflictPolicy.KeepEarliest"/> unless set.
    /// </summary>
    public UniqueConflictPolicy OnUniqueConflict { get; set; }
}
