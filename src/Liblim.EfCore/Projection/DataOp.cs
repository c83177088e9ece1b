using Liblim.EfCore.Storage.Internal;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Liblim.EfCore.Projection;

/// <summary>What a write does to a data row.</summary>
internal enum DataOpKind
{
    Delete,
    Update,
    Insert,
}

/// <summary>A reference a data row holds: the referenced row, and what the database does to the holder when it is deleted.</summary>
internal readonly record struct DataRef(string Table, string Key, ReferentialAction OnDelete);

/// <summary>
/// One write to a data table, with what ordering needs to know: the references and unique values the row holds
/// before the write (for a delete or update) and after it (for an update or insert).
/// </summary>
internal sealed class DataOp(DataOpKind kind, string table, string key)
{
    public DataOpKind Kind { get; } = kind;

    public string Table { get; } = table;

    public string Key { get; } = key;

    public IReadOnlyList<DataRef> Before { get; init; } = [];

    public IReadOnlyList<DataRef> After { get; init; } = [];

    /// <summary>Unique value groups (see <see cref="Metadata.Internal.ReplicatedUniqueIndex.GroupKey"/>) the row holds before.</summary>
    public IReadOnlyList<string> UniqueBefore { get; init; } = [];

    /// <summary>Unique value groups the row holds after.</summary>
    public IReadOnlyList<string> UniqueAfter { get; init; } = [];

    /// <summary>For an insert or update: the row to write (model values of all columns).</summary>
    public object?[]? Row { get; init; }

    /// <summary>For a delete or update: the row as it is in its table.</summary>
    public object?[]? Current { get; init; }

    /// <summary>For an insert or update: the row's metadata after the write, which the write stores with the row when it is shown as it is.</summary>
    public ShadowRow? Metadata { get; init; }

    /// <summary>The stored clocks of <see cref="Metadata"/> when it is kept in the row (set before the write runs); null when it is kept aside.</summary>
    public string? Clocks { get; set; }

    /// <summary>The row with the metadata it keeps, as its table stores it.</summary>
    public RowWrite ToRowWrite() => new(Row!, Clocks is null ? null : Metadata!.Seq, Clocks);

    /// <inheritdoc />
    public override string ToString() => $"{Kind} {Table} {Key}";
}
