using Liblim.EfCore.Crdt;
using Liblim.EfCore.Metadata.Internal;
using Liblim.EfCore.Storage.Internal;
using Liblim.EfCore.Values;

namespace Liblim.EfCore.Projection;

/// <summary>
/// A row whose place in its data table a <see cref="Reconciler"/> decides: its replicated state (with every value
/// loaded), its metadata as stored before, and its data row as it is now.
/// </summary>
internal sealed class ReconcileRow
{
    private string[]? _keyJson; // split on first use: only foreign keys and unique indexes ask for key values

    public ReconcileRow(ReplicatedTable table, string key)
    {
        Table = table;
        Key = key;
    }

    public ReplicatedTable Table { get; }

    public string Key { get; }

    /// <summary>The metadata row as stored before this transaction changed anything; null when there was none.</summary>
    public ShadowRow? Before { get; set; }

    /// <summary>Whether <see cref="Before"/> was read (or given).</summary>
    public bool MetadataLoaded { get; set; }

    /// <summary>The replicated state, every value loaded; null when the row has none.</summary>
    public RowState? State { get; set; }

    /// <summary>The data row as it is now (model values of all columns); null when not in its table.</summary>
    public object?[]? Data { get; set; }

    /// <summary>Whether <see cref="Data"/> was read (or given).</summary>
    public bool DataLoaded { get; set; }

    /// <summary>Whether this transaction changed the row's state: it is stored with <see cref="Seq"/> and <see cref="Source"/>.</summary>
    public bool Changed { get; set; }

    public long Seq { get; set; }

    public string? Source { get; set; }

    /// <summary>The peer whose state this transaction merged into the row as it was before, when that is how it changed (<see cref="Storage.Internal.RowUpdate"/>).</summary>
    public string? MergedFrom { get; set; }

    /// <summary>Whether the rows awaiting it and the rows sharing its unique values were looked up.</summary>
    public bool Expanded { get; set; }

    /// <summary>Whether the rows referencing it were looked up (done when its status gets worse).</summary>
    public bool DependentsExpanded { get; set; }

    /// <summary>The decision, once solved.</summary>
    public VisibilityVerdict? Verdict { get; set; }

    public (string, string) Id => (Table.Name, Key);

    /// <summary>A row in its table without replication state (stored before the table was replicated): left as it is.</summary>
    public bool IsPinned => State is null && Data is not null;

    public bool IsAlive => State?.IsAlive == true;

    /// <summary>Where the row stood before this transaction.</summary>
    public RowStatus PreviousStatus => StatusOf(Before, Data is not null && !Changed);

    /// <summary>The canonical JSON of a column's replicated value (a key column's from the key); null when unknown or null.</summary>
    public string? Json(ReplicatedColumn column)
    {
        if (column.IsKey)
        {
            return (_keyJson ??= CanonicalJson.DecodeKeyElements(Key, Table.KeyColumns.Count))[column.Ordinal];
        }

        if (IsPinned)
        {
            return column.ToJson(Data![column.Ordinal]);
        }

        return State is not null && State.Columns.TryGetValue(column.Name, out var value) ? value.Json : null;
    }

    /// <summary>The values that columns hold, by name (key columns not included): what is kept of a held row.</summary>
    public IReadOnlyDictionary<string, string> Values
        => State?.Columns.Where(c => c.Value.Json is not null).ToDictionary(c => c.Key, c => c.Value.Json!, StringComparer.Ordinal)
           ?? new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Fills values not yet loaded from the data row.</summary>
    public void FillFromData()
    {
        if (State is not null && Data is not null)
        {
            State = RowStateCodec.WithDataValues(Table, State, Data);
        }
    }

    /// <summary>The row to show in the data table: the replicated values, with projected references null.</summary>
    /// <param name="projected">The foreign keys (ordinals) shown null.</param>
    /// <param name="parsed">Model values already parsed from the state's texts, if any.</param>
    public object?[] ShownRow(IReadOnlyList<int> projected, ParsedValues? parsed = null)
    {
        var row = new object?[Table.AllColumns.Count];
        var known = parsed?.Find(Table, Key);
        (known?.Key ?? Table.DecodeKey(Key)).CopyTo(row, 0);
        var byName = Table.ValueColumnsByName;
        for (var i = 0; i < byName.Count; i++)
        {
            var column = byName[i];
            row[column.Ordinal] = State!.Columns.TryGetValue(column.Name, i, out var value) && value.Json is not null
                ? known is null ? column.FromJson(value.Json) : known.Value(column, value.Json)
                : column.IsNullable ? null
                : column.ShownWhenUnwritten
                  ?? throw new RowStateException($"Row {Key} of table '{Table.Name}' would appear without a value for its required column '{column.Name}': " +
                                                 "no state of it here or from the peer holds one (a peer of an older model version lacks the column). Give the " +
                                                 "property a default value in the model (HasDefaultValue) for such rows to show. Nothing from this batch was applied.");
        }

        foreach (var fk in projected.Select(p => Table.ForeignKeys[p]))
        {
            foreach (var column in fk.Columns)
            {
                row[column.Ordinal] = null;
            }
        }

        return row;
    }

    /// <summary>The status a stored metadata row (and the presence of a data row) says a row has.</summary>
    public static RowStatus StatusOf(ShadowRow? stored, bool hasData)
        => stored is null ? hasData ? RowStatus.Visible : RowStatus.Missing
            : !stored.IsAlive ? RowStatus.Dead
            : stored.Hold is not { } hold || hold.IsShown ? RowStatus.Visible
            : hold.Eligible ? RowStatus.Eligible
            : RowStatus.Ineligible;

    /// <inheritdoc />
    public override string ToString() => $"{Table} {Key}";
}
