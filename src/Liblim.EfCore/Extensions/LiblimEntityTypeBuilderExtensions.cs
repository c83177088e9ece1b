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
    public static EntityTypeBuilder IsReplicated(this EntityTypeBuilder builder, ReplicationKind kind = ReplicationKind.LastWriterWins)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Metadata.SetAnnotation(LiblimAnnotationNames.Replicated, kind);
        return builder;
    }

    /// <inheritdoc cref="IsReplicated(EntityTypeBuilder, ReplicationKind)" />
    public static EntityTypeBuilder<TEntity> IsReplicated<TEntity>(this EntityTypeBuilder<TEntity> builder, ReplicationKind kind = ReplicationKind.LastWriterWins)
        where TEntity : class
        => (EntityTypeBuilder<TEntity>)IsReplicated((EntityTypeBuilder)builder, kind);

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
