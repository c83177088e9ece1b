namespace Liblim.EfCore.Storage.Internal;

/// <summary>A row of <c>__liblim_rows</c> as read or about to be written; see <see cref="RowMetadata"/>.</summary>
internal sealed record StoredRow(
    string Table,
    string Key,
    long Seq,
    string Clock,
    string? ColumnClocks,
    string? AddTags,
    string? Tombstones,
    string? DeadValues,
    string? Source = null);
