using Liblim.EfCore.Metadata.Internal;

namespace Liblim.EfCore.Storage.Internal;

/// <summary>A row of <c>__liblim_rows</c> as read or about to be written; see <see cref="StoredShadowRow"/>.</summary>
internal sealed record ShadowRow(
    string Table,
    string Key,
    long Seq,
    string Clock,
    string? ColumnClocks,
    string? AddTags,
    string? Tombstones,
    string? KeptValues,
    string? Source = null,
    string? Held = null,
    string? Awaiting = null)
{
    /// <summary>Whether the row is alive.</summary>
    public bool IsAlive => AddTags is not null;

    /// <summary>The parsed <see cref="Held"/> marker; null when the row is shown as it is, or deleted.</summary>
    public RowHold? Hold => Held is null ? null : RowHold.Parse(Held);

    /// <summary>Whether the row's data row is in its table (alive and shown, perhaps with projected columns).</summary>
    public bool IsShown => IsAlive && (Held is null || Hold!.IsShown);
}
