using Microsoft.EntityFrameworkCore.Metadata;

namespace Liblim.EfCore.Metadata.Internal;

/// <summary>How one entity type maps to the columns of its replicated table.</summary>
internal sealed class EntityTableMapping(ReplicatedTable table, IProperty[] keyProperties, (ReplicatedColumn Column, IProperty Property)[] valueProperties, bool isPrincipal)
{
    /// <summary>The table.</summary>
    public ReplicatedTable Table { get; } = table;

    /// <summary>The entity's properties mapped to the table's key columns, in key order.</summary>
    public IProperty[] KeyProperties { get; } = keyProperties;

    /// <summary>The entity's properties mapped to replicated value columns.</summary>
    public (ReplicatedColumn Column, IProperty Property)[] ValueProperties { get; } = valueProperties;

    /// <summary>Whether the entity owns the row (not an owned type stored in its owner's row).</summary>
    public bool IsPrincipal { get; } = isPrincipal;
}
