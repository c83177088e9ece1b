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
    /// Set by a local update (<see cref="RowStateCodec.Written"/>) made at a clock later than every clock the row held: the
    /// row's position then (<c>Seq</c>) and the one it had before (<c>Prior</c>). The registers at the row's greatest clock
    /// are what that update set, so a peer that holds the row as it was at <c>Prior</c> needs only those
    /// (<see cref="Crdt.RowDelta.LatestWrite"/>). It speaks of the row only while the row is still at <c>Seq</c>.
    /// </summary>
    public (long Seq, long Prior)? Update { get; init; }

    /// <summary>The position the row had before its latest change, when that change was an update as <see cref="Update"/> says; null otherwise.</summary>
    public long? PriorPosition => Update is { } update && update.Seq == Seq ? update.Prior : null;

    /// <summary>Whether the row's data row is in its table (alive and shown, perhaps with projected columns).</summary>
    public bool IsShown => IsAlive && (Held is null || Hold!.IsShown);
}
