using Liblim.EfCore;
using Liblim.EfCore.Metadata.Internal;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

// Public surface lives in EF's namespace so that users need no extra using.
namespace Microsoft.EntityFrameworkCore;

/// <summary>Opts entity types in to replication.</summary>
public static class LiblimEntityTypeBuilderExtensions
{
    /// <summary>
    /// Replicates this entity's table: writes through SaveChanges are recorded with per-column clocks and
    /// row-existence tags, and merged with other replicas on sync.
    /// </summary>
    /// <param name="builder">The entity type builder.</param>
    /// <param name="kind">How rows merge; <see cref="ReplicationKind.LastWriterWins"/> unless the table is grow-only.</param>
    /// <exception cref="ReplicationModelException">The context's options do not call <c>UseLiblim()</c>.</exception>
    public static EntityTypeBuilder IsReplicated(this EntityTypeBuilder builder, ReplicationKind kind = ReplicationKind.LastWriterWins)
    {
        ArgumentNullException.ThrowIfNull(builder);
        LiblimModel.EnsureUsed(builder.Metadata, nameof(IsReplicated));
        builder.Metadata.SetAnnotation(LiblimAnnotationNames.Replicated, kind);
        return builder;
    }

    /// <inheritdoc cref="IsReplicated(EntityTypeBuilder, ReplicationKind)" />
    public static EntityTypeBuilder<TEntity> IsReplicated<TEntity>(this EntityTypeBuilder<TEntity> builder, ReplicationKind kind = ReplicationKind.LastWriterWins)
        where TEntity : class
        => (EntityTypeBuilder<TEntity>)IsReplicated((EntityTypeBuilder)builder, kind);

    /// <summary>
    /// Chooses which row keeps a value of one of this entity's unique indexes (or alternate keys) when replicas
    /// wrote the value into different rows. The other rows are not lost: they are held back, with all their values,
    /// until the value is free, and listed by <c>db.Liblim().GetHeldBackRowsAsync()</c>.
    /// </summary>
    /// <param name="builder">The entity type builder of a replicated entity.</param>
    /// <param name="policy">The rule every replica applies.</param>
    /// <exception cref="ReplicationModelException">The context's options do not call <c>UseLiblim()</c>.</exception>
    public static EntityTypeBuilder OnUniqueConflict(this EntityTypeBuilder builder, UniqueConflictPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(builder);
        LiblimModel.EnsureUsed(builder.Metadata, nameof(OnUniqueConflict));
        builder.Metadata.SetAnnotation(LiblimAnnotationNames.UniqueConflict, policy);
        return builder;
    }

    /// <inheritdoc cref="OnUniqueConflict(EntityTypeBuilder, UniqueConflictPolicy)" />
    public static EntityTypeBuilder<TEntity> OnUniqueConflict<TEntity>(this EntityTypeBuilder<TEntity> builder, UniqueConflictPolicy policy)
        where TEntity : class
        => (EntityTypeBuilder<TEntity>)OnUniqueConflict((EntityTypeBuilder)builder, policy);

    /// <summary>The unique-conflict policy of the entity type (or of its root, or of its owner); <see cref="UniqueConflictPolicy.KeepEarliest"/> unless set.</summary>
    public static UniqueConflictPolicy GetUniqueConflictPolicy(this IReadOnlyEntityType entityType)
    {
        ArgumentNullException.ThrowIfNull(entityType);
        var root = entityType.GetRootType();
        return root[LiblimAnnotationNames.UniqueConflict] is UniqueConflictPolicy policy ? policy
            : root.IsOwned() && root.FindOwnership()?.PrincipalEntityType is { } owner ? owner.GetUniqueConflictPolicy()
            : UniqueConflictPolicy.KeepEarliest;
    }

    /// <summary>The replication kind of the entity type (or of its root, for a derived type); null when it is not replicated.</summary>
    public static ReplicationKind? GetReplicationKind(this IReadOnlyEntityType entityType)
    {
        ArgumentNullException.ThrowIfNull(entityType);
        var root = entityType.GetRootType();
        return root[LiblimAnnotationNames.Replicated] is ReplicationKind kind ? kind
            : root.IsOwned() && root.FindOwnership()?.PrincipalEntityType is { } owner ? owner.GetReplicationKind()
            : null;
    }
}
