namespace Liblim.EfCore;

/// <summary>
/// A SaveChanges tried to update or delete a row of an entity replicated as
/// <see cref="ReplicationKind.InsertOnly"/>. Nothing was saved. Insert a new row instead, or replicate the
/// entity with <see cref="ReplicationKind.LastWriterWins"/>.
/// </summary>
public sealed class InsertOnlyViolationException : LiblimException
{
    /// <summary>Creates the exception.</summary>
    public InsertOnlyViolationException(string entityType, string operation)
        : base($"Entity '{entityType}' is replicated as insert-only: its rows cannot be {operation}. Nothing was saved. " +
               "Insert a new row instead, or replicate the entity with ReplicationKind.LastWriterWins.")
    {
        EntityType = entityType;
        Operation = operation;
    }

    /// <summary>The entity type.</summary>
    public string EntityType { get; }

    /// <summary>What was refused: "updated" or "deleted".</summary>
    public string Operation { get; }
}
