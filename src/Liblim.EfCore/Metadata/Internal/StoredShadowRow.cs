namespace Liblim.EfCore.Metadata.Internal;

/// <summary>
/// One row of <c>__liblim_rows</c>: the replication metadata of one data row, alive or deleted. One metadata
/// row per data row, however many columns it has. This is the stored form: <c>CompactShadowRow</c> turns it into
/// the logical <c>ShadowRow</c> and back.
/// </summary>
/// <remarks>Mapped by <see cref="Metadata.Conventions.ShadowTablesConvention"/>; read and written with set-based SQL only.</remarks>
internal sealed class StoredShadowRow
{
    /// <summary>The replicated table.</summary>
    public string TableName { get; set; } = null!;

    /// <summary>The canonical text of the row's key, as bytes (see <c>RowKeyBytes</c>); unique with <see cref="TableName"/>.</summary>
    public byte[] RowKey { get; set; } = null!;

    /// <summary>
    /// The local change sequence number of the row's last change, unique: the primary key, so "changed since N" reads
    /// the table in its own order (on SQLite it is the rowid).
    /// </summary>
    public long Seq { get; set; }

    /// <summary>The clock of every column not listed in <see cref="ColumnClocks"/>, in its stored form (see <c>CompactClocks</c>).</summary>
    public string Clock { get; set; } = null!;

    /// <summary>A JSON object of column name to stored clock for columns written after the row's base clock; null when none.</summary>
    public string? ColumnClocks { get; set; }

    /// <summary>
    /// Comma-separated stored add tags not yet tombstoned, or <c>CompactClocks.SameAsClock</c> when they are
    /// exactly <see cref="Clock"/>; null when the row is deleted.
    /// </summary>
    public string? AddTags { get; set; }

    /// <summary>Comma-separated stored add tags that a delete has observed (or <c>CompactClocks.SameAsClock</c>); null when none.</summary>
    public string? Tombstones { get; set; }

    /// <summary>
    /// A JSON object of column values kept here while the data table does not hold them as replicated: every column
    /// while the row is deleted (so that a concurrent insert merges with them) or held back; the projected columns
    /// while the row is shown with a reference set to null. Null when the data row holds every value.
    /// </summary>
    public string? KeptValues { get; set; }

    /// <summary>
    /// Why a live row is not in its data table as replicated (a short JSON object, see <c>RowHold</c>): held back
    /// for a missing, deleted or held-back parent or a unique value another row keeps, or shown with a projected
    /// reference. Null when the row is shown as it is, or deleted.
    /// </summary>
    public string? Held { get; set; }

    /// <summary>The row id (table/key) of the row whose change may show this row again: the <see cref="Held"/> row's related row; indexed.</summary>
    public string? Awaiting { get; set; }

    /// <summary>
    /// The number (see <see cref="KnownNode"/>) of the peer whose state this row's state equals, when it last came from
    /// a merge that took the peer's state whole; the change feed does not send the row back to that peer. Null after a
    /// local change.
    /// </summary>
    public int? Source { get; set; }
}
