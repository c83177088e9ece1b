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
    private string? _columnClocks = ColumnClocks;
    private RegisterListing? _registers;

    /// <summary>
    /// The column clocks object (<see cref="RegisterClocks"/>; null when the row lists no register). A row made or read
    /// with its <see cref="Registers"/> typed makes it from them when it is first asked for.
    /// </summary>
    public string? ColumnClocks
    {
        get => _columnClocks ??= _registers is null ? null : RegisterClocks.Text(_registers, HybridTimestamp.Parse(Clock));
        init => (_columnClocks, _registers) = (value, null);
    }

    /// <summary>
    /// The listed registers as timestamps, where the row was made or read so (a merge's, capture's or an in-row read's);
    /// null otherwise, or when it lists none. Setting them sets <see cref="ColumnClocks"/> to their text.
    /// </summary>
    public RegisterListing? Registers
    {
        get => _registers;
        init => (_registers, _columnClocks) = (value, null);
    }

    /// <summary>Whether the row lists any register (its <see cref="ColumnClocks"/> are not null), without making their text.</summary>
    public bool ListsRegisters => _registers is not null || _columnClocks is not null;

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

    /// <summary>Whether both rows list the same registers, compared as timestamps where both have them so.</summary>
    public bool SameRegistersAs(ShadowRow other)
        => _registers is not null && other._registers is not null ? _registers.SameAs(other._registers) : ColumnClocks == other.ColumnClocks;

    /// <summary>Equal rows hold the same metadata, whether their registers are typed or text.</summary>
    public bool Equals(ShadowRow? other)
        => other is not null && Table == other.Table && Key == other.Key && Seq == other.Seq && Clock == other.Clock
           && SameRegistersAs(other)
           && AddTags == other.AddTags && Tombstones == other.Tombstones && KeptValues == other.KeptValues && Source == other.Source
           && Held == other.Held && Awaiting == other.Awaiting && Update == other.Update;

    public override int GetHashCode() => HashCode.Combine(Table, Key, Seq, Clock, AddTags, Tombstones, KeptValues, Source);
}
