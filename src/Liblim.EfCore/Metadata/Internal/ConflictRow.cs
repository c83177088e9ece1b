namespace Liblim.EfCore.Metadata.Internal;

/// <summary>
/// A row of <c>__liblim_conflicts</c>, the conflict journal: one column of one row that a merge decided between two
/// values written concurrently (docs/semantics.md, "Conflicts").
/// </summary>
internal sealed class ConflictRow
{
    /// <summary>The entry's number, handed out by the database as entries are recorded: it orders the journal as decided.</summary>
    public long Id { get; set; }

    /// <summary>The column decided.</summary>
    public string ColumnName { get; set; } = null!;

    /// <summary>The replicated table.</summary>
    public string TableName { get; set; } = null!;

    /// <summary>The row's key, as its canonical JSON text.</summary>
    public string RowKey { get; set; } = null!;

    /// <summary>The value kept, as canonical JSON; null when the row was deleted (the loser lost to a delete).</summary>
    public string? WinnerValue { get; set; }

    /// <summary>The timestamp of the write that set it (full text form); null when the row was deleted.</summary>
    public string? WinnerClock { get; set; }

    /// <summary>The value that lost, as canonical JSON.</summary>
    public string LoserValue { get; set; } = null!;

    /// <summary>The timestamp of the write that set it (full text form).</summary>
    public string LoserClock { get; set; } = null!;

    /// <summary>When this replica decided it, in milliseconds since the Unix epoch (UTC).</summary>
    public long DecidedAt { get; set; }
}
