using Liblim.EfCore.Crdt;
using Liblim.EfCore.Metadata.Internal;
using Liblim.EfCore.Storage.Internal;

namespace Liblim.EfCore.Projection;

/// <summary>
/// Keeps the data tables the projection of the replicated states after some states changed (a merged batch, a local
/// SaveChanges): loads every row whose place may change (this class and its partial files do the reads), lets
/// <see cref="ProjectionPlanner"/> decide over what it loaded, without a database, then writes the data rows in an order
/// that never breaks a constraint (<see cref="WritePlan"/>) and returns the shadow rows to store.
/// </summary>
/// <remarks>
/// Which rows may change, besides the changed ones: rows held back or projected that await a row in the set (the
/// indexed <c>awaiting</c> column); rows sharing a unique value with a row in the set (the data table by value, and
/// the table's held rows); and, for a row whose status gets worse, the rows referencing it (the data table by
/// foreign key, and the held rows of the referencing table). Held rows are expected to be few.
/// </remarks>
/// <param name="session">The context's connection and transaction.</param>
/// <param name="async">Whether to run the database work asynchronously.</param>
/// <param name="ct">Cancels it.</param>
/// <param name="parsed">Model values already parsed from the states' texts, if any.</param>
internal sealed partial class Reconciler(StoreSession session, bool async, CancellationToken ct, ParsedValues? parsed = null)
{
    private readonly Dictionary<(string, string), ReconcileRow> _rows = [];
    private readonly Dictionary<(string, string), RowStatus> _external = [];
    private readonly Dictionary<string, List<(ShadowRow Stored, ReconcileRow Row)>> _held = new(StringComparer.Ordinal);
    private IReadOnlyList<(string Table, string Key)> _nodeIds = [];

    /// <summary>A row whose state this transaction changes.</summary>
    /// <param name="table">Its table.</param>
    /// <param name="state">The new state; values not loaded (null) are taken from the data row.</param>
    /// <param name="before">Its metadata as stored before; null when none.</param>
    /// <param name="seq">The change sequence number it is stored with.</param>
    /// <param name="source">The peer it was taken whole from, if so.</param>
    /// <param name="data">Its data row, when already read (null: not in its table).</param>
    /// <param name="dataKnown">Whether <paramref name="data"/> was read.</param>
    /// <param name="mergedFrom">The peer whose state was merged into <paramref name="before"/> to give <paramref name="state"/>, when that is how it came.</param>
    public void Change(ReplicatedTable table, RowState state, ShadowRow? before, long seq, string? source, object?[]? data = null, bool dataKnown = false, string? mergedFrom = null)
    {
        var row = Add(table, state.Key);
        row.State = state;
        row.Before = before;
        row.MetadataLoaded = true;
        row.Changed = true;
        row.Seq = seq;
        row.Source = source;
        row.MergedFrom = mergedFrom;
        row.Data = data;
        row.DataLoaded = dataKnown;
    }

    /// <summary>Decides, writes the data tables, and returns the metadata to store and what changed.</summary>
    public async Task<ReconcileResult> RunAsync()
    {
        while (true)
        {
            await LoadAsync().ConfigureAwait(false);
            if (await ExpandAsync().ConfigureAwait(false))
            {
                continue;
            }

            await LoadExternalAsync().ConfigureAwait(false);
            _nodeIds = ProjectionPlanner.Decide(_rows.Values, _external);
            if (!await ExpandDependentsAsync().ConfigureAwait(false))
            {
                break;
            }
        }

        return await WriteAsync().ConfigureAwait(false);
    }

    private ReconcileRow Add(ReplicatedTable table, string key)
    {
        if (!_rows.TryGetValue((table.Name, key), out var row))
        {
            _rows[(table.Name, key)] = row = new ReconcileRow(table, key);
        }

        return row;
    }

    /// <summary>Adds a row found by a lookup; true when it is new.</summary>
    private bool Found(ReplicatedTable table, string key, ShadowRow? stored = null, object?[]? data = null, bool dataKnown = false)
    {
        if (_rows.ContainsKey((table.Name, key)))
        {
            return false;
        }

        var row = Add(table, key);
        if (stored is not null)
        {
            row.Before = stored;
            row.MetadataLoaded = true;
        }

        row.Data = data;
        row.DataLoaded = dataKnown;
        return true;
    }

    /// <summary>Reads the metadata and data rows not read yet, and completes every state.</summary>
    private async Task LoadAsync()
    {
        foreach (var byTable in _rows.Values.Where(r => !r.MetadataLoaded || !r.DataLoaded).GroupBy(r => r.Table).ToList())
        {
            var table = byTable.Key;
            var needMetadata = byTable.Where(r => !r.MetadataLoaded).Select(r => r.Key).ToList();
            var stored = needMetadata.Count == 0 ? [] : await session.Shadow.ReadRowsAsync(table.Name, needMetadata, async, ct).ConfigureAwait(false);
            var needData = byTable.Where(r => !r.DataLoaded).Select(r => r.Key).ToList();
            var data = needData.Count == 0 ? []
                : await session.Rows(table).ReadAsync(needData, parsed is null ? table.DecodeKey : k => parsed.Key(table, k), async, ct).ConfigureAwait(false);
            foreach (var row in byTable)
            {
                if (!row.MetadataLoaded)
                {
                    row.Before = stored.GetValueOrDefault(row.Key);
                    row.MetadataLoaded = true;
                }

                if (!row.DataLoaded)
                {
                    row.Data = data.GetValueOrDefault(row.Key);
                    row.DataLoaded = true;
                }

                if (!row.Changed && row.State is null && row.Before is { } before)
                {
                    row.State = RowStateCodec.Decode(table, before, before.IsShown ? row.Data : null);
                }

                row.FillFromData();
            }
        }
    }
}
