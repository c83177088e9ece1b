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

    /// <summary>
    /// Set by a local update made at a clock later than every clock the row held (<see cref="RowStateCodec.Written"/>), or
    /// by a merge of a peer's state into the row: see <see cref="RowUpdate"/>. A peer that holds the row as it was before
    /// needs only what the update wrote (<see cref="Crdt.RowDelta.LatestWrite"/>), or nothing when it was the merge of its
    /// own state.
    /// </summary>
    public RowUpdate? Update { get; init; }

    /// <summary>The row's latest change, when it was one <see cref="Update"/> describes and the row has not changed since; null otherwise.</summary>
    public RowUpdate? LatestUpdate => Update is { } update && update.Seq == Seq ? update : null;

    /// <summary>Whether the row's data row is in its table (alive and shown, perhaps with projected columns).</summary>
    public bool IsShown => IsAlive && (Held is null || Hold!.IsShown);

    /// <summary>Whether the row is held back: alive, not shown, for a reason an app can resolve (not a table of a newer model).</summary>
    public bool IsHeldBack => IsAlive && !IsShown && Hold!.Kind != HoldKind.NotInModel;
}
