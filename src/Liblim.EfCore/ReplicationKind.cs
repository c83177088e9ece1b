namespace Liblim.EfCore;

/// <summary>How the rows of a replicated entity merge.</summary>
public enum ReplicationKind
{
    /// <summary>
    /// Every column is a last-writer-wins register and rows can be inserted, updated and deleted on any node;
    /// row existence is an observed-remove set.
    /// </summary>
    LastWriterWins = 0,

    /// <summary>
    /// A grow-only set of rows: rows are inserted and never updated or deleted. Two different rows with the
    /// same key from two nodes are a conflict, reported as an <see cref="InsertOnlyConflictException"/>.
    /// </summary>
    InsertOnly = 1,
}
