using Liblim.EfCore.Metadata.Internal;
using Liblim.EfCore.Storage.Internal;

namespace Liblim.EfCore.Projection;

/// <summary>
/// The lookups that find the rows whose place may change: rows awaiting a row of the set, rows sharing its unique values,
/// the rows it references (their status only), and the rows referencing a row whose status got worse.
/// </summary>
internal sealed partial class Reconciler
{
    /// <summary>Looks up, for rows not yet expanded, the rows awaiting them and the rows sharing their unique values; true when rows were added.</summary>
    private async Task<bool> ExpandAsync()
    {
        var rows = _rows.Values.Where(r => !r.Expanded).ToList();
        if (rows.Count == 0)
        {
            return false;
        }

        foreach (var row in rows)
        {
            row.Expanded = true;
        }

        if (!session.Model.HasConstraints)
        {
            return false; // nothing is ever held back, nothing competes
        }

        var added = false;
        var awaiting = await session.Shadow.ReadAwaitingAsync([.. rows.Select(r => RowHold.AwaitingId(r.Table.Name, r.Key))], async, ct).ConfigureAwait(false);
        foreach (var stored in awaiting)
        {
            if (session.Model.FindTable(stored.Table) is { } table)
            {
                added |= Found(table, stored.Key, stored);
            }
        }

        foreach (var byTable in rows.Where(r => (r.IsAlive || r.IsPinned) && r.Table.UniqueIndexes.Count > 0).GroupBy(r => r.Table))
        {
            added |= await FindSharingAsync(byTable.Key, [.. byTable]).ConfigureAwait(false);
        }

        return added;
    }

    /// <summary>Adds the rows of a table that hold one of the unique values of the given rows: shown ones by value, held ones from the held rows.</summary>
    private async Task<bool> FindSharingAsync(ReplicatedTable table, List<ReconcileRow> rows)
    {
        var added = false;
        var groups = new HashSet<string>(StringComparer.Ordinal);
        var store = session.Rows(table);
        foreach (var index in table.UniqueIndexes)
        {
            var tuples = new List<object?[]>();
            foreach (var row in rows)
            {
                if (index.ValueKey(row.Json) is { } values)
                {
                    groups.Add(index.GroupKey(values));
                    tuples.Add([.. index.Columns.Select(c => c.FromJson(row.Json(c)!))]);
                }
            }

            if (tuples.Count == 0)
            {
                continue;
            }

            foreach (var (key, data) in await store.ReadWhereAsync(index.Columns, tuples, async, ct).ConfigureAwait(false))
            {
                added |= Found(table, key, data: data, dataKnown: true);
            }
        }

        foreach (var (stored, held) in await HeldAsync(table).ConfigureAwait(false))
        {
            if (table.UniqueIndexes.Any(i => i.ValueKey(held.Json) is { } v && groups.Contains(i.GroupKey(v))))
            {
                added |= Found(table, stored.Key, stored);
            }
        }

        return added;
    }

    /// <summary>The rows of a table that are held back or projected, with their states (read once per reconcile).</summary>
    private async Task<List<(ShadowRow Stored, ReconcileRow Row)>> HeldAsync(ReplicatedTable table)
    {
        if (!_held.TryGetValue(table.Name, out var held))
        {
            held = [];
            foreach (var stored in await session.Shadow.ReadHeldAsync(table.Name, async, ct).ConfigureAwait(false))
            {
                if (!stored.IsShown)
                {
                    held.Add((stored, new ReconcileRow(table, stored.Key) { State = RowStateCodec.Decode(table, stored, null) }));
                }
            }

            _held[table.Name] = held;
        }

        return held;
    }

    /// <summary>Reads the status of every row referenced by a row in the set but not in it.</summary>
    private async Task LoadExternalAsync()
    {
        var wanted = new Dictionary<ReplicatedTable, HashSet<string>>();
        foreach (var row in _rows.Values.Where(r => r.IsAlive))
        {
            foreach (var fk in row.Table.ForeignKeys)
            {
                if (fk.PrincipalKey(row.Json) is { } key && !_rows.ContainsKey((fk.Principal.Name, key)) && !_external.ContainsKey((fk.Principal.Name, key)))
                {
                    (wanted.TryGetValue(fk.Principal, out var keys) ? keys : wanted[fk.Principal] = new HashSet<string>(StringComparer.Ordinal)).Add(key);
                }
            }
        }

        foreach (var (table, keys) in wanted)
        {
            var stored = await session.Shadow.ReadRowsAsync(table.Name, keys, async, ct).ConfigureAwait(false);
            var unknown = keys.Where(k => !stored.ContainsKey(k)).ToList();
            var data = unknown.Count == 0 ? [] : await session.Rows(table).ReadAsync(unknown, async, ct).ConfigureAwait(false);
            foreach (var key in keys)
            {
                _external[(table.Name, key)] = ReconcileRow.StatusOf(stored.GetValueOrDefault(key), data.ContainsKey(key));
            }
        }
    }

    /// <summary>Looks up the rows referencing each row whose status got worse; true when rows were added.</summary>
    private async Task<bool> ExpandDependentsAsync()
    {
        var worse = _rows.Values.Where(r => !r.DependentsExpanded && r.Verdict!.Status < r.PreviousStatus).ToList();
        var added = false;
        foreach (var row in worse)
        {
            row.DependentsExpanded = true;
        }

        foreach (var byTable in worse.GroupBy(r => r.Table))
        {
            foreach (var fk in byTable.Key.ReferencedBy)
            {
                var keys = byTable.Select(r => r.Key).ToHashSet(StringComparer.Ordinal);
                var shown = await session.Rows(fk.Dependent).ReadWhereAsync(fk.Columns, [.. keys.Select(byTable.Key.DecodeKey)], async, ct).ConfigureAwait(false);
                foreach (var (key, data) in shown)
                {
                    added |= Found(fk.Dependent, key, data: data, dataKnown: true);
                }

                foreach (var (stored, held) in await HeldAsync(fk.Dependent).ConfigureAwait(false))
                {
                    if (fk.PrincipalKey(held.Json) is { } principal && keys.Contains(principal))
                    {
                        added |= Found(fk.Dependent, stored.Key, stored);
                    }
                }
            }
        }

        return added;
    }
}
