using Liblim.EfCore.Merge.Internal;
using Liblim.EfCore.Metadata.Internal;
using Liblim.EfCore.Storage.Internal;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Liblim.EfCore.Scopes.Internal;

/// <summary>
/// What scopes add to applying a batch, in its transaction: a replica forgets the rows its server evicted, referencing
/// rows before the rows they reference; a server records the rows a peer it serves by scope sent as rows the peer holds,
/// but for those it tells the peer to forget (refused writes of rows the peer may not hold).
/// </summary>
internal static class ScopedBatch
{
    /// <returns>The rows forgotten here, for the app.</returns>
    public static async Task<List<ChangedRow>> ApplyAsync(DbContext context, RemoteBatch batch, IReadOnlyList<(string Table, string Key)> forgotten, CancellationToken ct)
    {
        if (batch.Evictions.Count == 0 && batch.Refusals.Count == 0 && !(batch.Scope is not null && batch.States.Count > 0))
        {
            return [];
        }

        var session = context.GetService<StoreSession>();
        if (batch.Refusals.Count > 0)
        {
            // A record the app can read later (db.Liblim().GetRefusedWritesAsync()), kept until it clears it.
            await session.Shadow.WriteRefusedAsync(batch.PeerNode, batch.Refusals, session.Options.TimeProvider.GetUtcNow(), async: true, ct).ConfigureAwait(false);
        }

        var evicted = batch.Evictions
            .GroupBy(e => e.Table, StringComparer.Ordinal)
            .Select(g => (Table: session.Model.FindTable(g.Key), Keys: g.Select(e => e.Key).Distinct(StringComparer.Ordinal).ToList()))
            .Where(g => g.Table is not null)
            .ToList();
        foreach (var (table, keys) in ReferencingFirst(evicted!))
        {
            await session.Shadow.ForgetRowsAsync(table, keys, async: true, ct).ConfigureAwait(false);
        }

        if (batch.Scope is not null)
        {
            var forget = forgotten.ToHashSet();
            await session.Shadow.WritePeerRowsAsync(batch.PeerNode.ToString("N"), [.. batch.States.Select(s => (s.Table, s.Key)).Where(r => !forget.Contains(r))], [.. forget], async: true, ct).ConfigureAwait(false);
        }

        return [.. evicted.SelectMany(e => e.Keys.Select(k => ChangedRow.Of(e.Table!, k, RowChange.Evicted)))];
    }

    /// <summary>The tables in an order where one that references another comes before it (any order within a cycle).</summary>
    public static List<(ReplicatedTable Table, List<string> Keys)> ReferencingFirst(List<(ReplicatedTable Table, List<string> Keys)> tables)
    {
        var ordered = new List<(ReplicatedTable, List<string>)>(tables.Count);
        var left = new List<(ReplicatedTable Table, List<string> Keys)>(tables);
        while (left.Count > 0)
        {
            // A table no other remaining table references may go now: nothing left still points at its rows.
            var next = left.FindIndex(t => !left.Any(o => o.Table != t.Table && o.Table.ForeignKeys.Any(fk => fk.Principal == t.Table)));
            var index = next < 0 ? 0 : next;
            ordered.Add(left[index]);
            left.RemoveAt(index);
        }

        return ordered;
    }
}
