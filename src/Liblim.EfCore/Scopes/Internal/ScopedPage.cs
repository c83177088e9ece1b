using System.Collections.Immutable;
using Liblim.EfCore.Crdt;
using Liblim.EfCore.Metadata.Internal;
using Liblim.EfCore.Protocol;
using Liblim.EfCore.Storage.Internal;
using Liblim.EfCore.Sync.Internal;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Liblim.EfCore.Scopes.Internal;

/// <summary>
/// What a scope makes of a page of the feed for a peer it serves (<see cref="ChangeFeed"/> reads the page): beside the rows
/// its rules show it, the tombstones of rows it holds that were deleted, evictions of rows it holds that left its scope,
/// the rows that entered or left it through a row they read, and the rows its rows reference.
/// </summary>
internal static class ScopedPage
{
    /// <summary>Completes a page whose rows <see cref="PeerScope.SelectAsync"/> has judged, table by table.</summary>
    public static async Task CompleteAsync(DbContext context, FeedPage page, PeerScope scope, IEnumerable<ShadowRow> rows, bool async, CancellationToken ct)
    {
        if (!scope.IsFresh(page.Last))
        {
            // Rows before the page may have entered or left the scope through the page's rows; in a first sync from
            // nothing, every row is judged by its own page instead.
            await AddDependentsAsync(context, page, scope, rows.GroupBy(r => r.Table).ToDictionary(g => g.Key, g => g.ToList()), page.Last, async, ct).ConfigureAwait(false);
        }

        await EvictReferencingAsync(context, page, scope, async, ct).ConfigureAwait(false);
        await AddReferencedAsync(context, page, scope, async, ct).ConfigureAwait(false);

        // Referencing rows are forgotten before the rows they reference, also when the evictions span several batches.
        var session = context.GetService<StoreSession>();
        var byTable = page.Evictions.GroupBy(e => e.Table, StringComparer.Ordinal)
            .Where(g => session.Model.FindTable(g.Key) is not null)
            .Select(g => (session.Model.FindTable(g.Key)!, g.Select(e => e.Key).ToList()))
            .ToList();
        var ordered = ScopedBatch.ReferencingFirst(byTable).SelectMany(t => t.Keys.Select(k => new EvictMessage(t.Table.Name, k))).ToList();
        page.Evictions.Clear();
        page.Evictions.AddRange(ordered);
    }

    /// <summary>
    /// For a peer served by scope: rows a rule reads the page's rows through, which entered the peer's scope (sent whole)
    /// or left it (evicted) without changing themselves.
    /// </summary>
    private static async Task AddDependentsAsync(
        DbContext context, FeedPage page, PeerScope scope, Dictionary<string, List<ShadowRow>> byTable, long through, bool async, CancellationToken ct)
    {
        var session = context.GetService<StoreSession>();
        foreach (var (table, dependents) in await scope.SelectDependentsAsync(context, byTable, through, ct).ConfigureAwait(false))
        {
            Add(page, table, [], dependents);
            if (dependents.Whole is not { Count: > 0 } entering)
            {
                continue;
            }

            page.States.AddRange((await session.Shadow.ReadStatesAsync(table, entering, async, ct).ConfigureAwait(false)).Values.Select(s => s.State));
        }
    }

    /// <summary>
    /// A row the page sends a scoped peer comes with the rows it references that the peer does not hold yet, whatever their
    /// own rule says, so that the peer does not hold the row back for a missing parent: they come as references, which the
    /// peer reads and may not write (their own rule judges its writes). Transitively, as far as references go.
    /// </summary>
    private static async Task AddReferencedAsync(DbContext context, FeedPage page, PeerScope scope, bool async, CancellationToken ct)
    {
        var session = context.GetService<StoreSession>();
        var sent = page.States.Select(s => (s.Table, s.Key)).ToHashSet();
        var pending = page.States.Where(s => s.IsAlive).ToList();
        while (pending.Count > 0)
        {
            var referenced = new Dictionary<ReplicatedTable, HashSet<string>>();
            foreach (var state in pending)
            {
                if (session.Model.FindTable(state.Table) is not { } table)
                {
                    continue;
                }

                foreach (var fk in table.ForeignKeys)
                {
                    var keyJson = (string[]?)null;
                    var key = fk.PrincipalKey(c => c.IsKey
                        ? (keyJson ??= Values.CanonicalJson.DecodeKeyElements(state.Key, table.KeyColumns.Count))[c.Ordinal]
                        : state.Columns.TryGetValue(c.Name, out var value) ? value.Json : null);
                    if (key is not null && !sent.Contains((fk.Principal.Name, key)))
                    {
                        (referenced.TryGetValue(fk.Principal, out var keys) ? keys : referenced[fk.Principal] = new HashSet<string>(StringComparer.Ordinal)).Add(key);
                    }
                }
            }

            pending = [];
            foreach (var (table, keys) in referenced)
            {
                var held = await session.Shadow.ReadPeerRowsAsync(scope.PeerId, table.Name, keys, async, ct).ConfigureAwait(false);
                var missing = keys.Where(k => !held.Contains(k)).ToList();
                foreach (var (_, (_, state)) in missing.Count == 0 ? [] : await session.Shadow.ReadStatesAsync(table, missing, async, ct).ConfigureAwait(false))
                {
                    if (sent.Add((state.Table, state.Key)))
                    {
                        page.States.Add(state);
                        page.Joined.Add((state.Table, state.Key));
                        pending.Add(state);
                    }
                }
            }
        }
    }

    /// <summary>
    /// An evicted row goes with the rows the peer holds that reference it, whatever their own rule says: the peer's database
    /// would remove or refuse them with it (its ON DELETE actions), and the server must know they are gone.
    /// </summary>
    private static async Task EvictReferencingAsync(DbContext context, FeedPage page, PeerScope scope, bool async, CancellationToken ct)
    {
        var session = context.GetService<StoreSession>();
        var evicted = page.Evictions.Select(e => (e.Table, e.Key)).ToHashSet();
        var pending = new Queue<(ReplicatedTable Table, List<string> Keys)>(page.Evictions
            .GroupBy(e => e.Table, StringComparer.Ordinal)
            .Where(g => session.Model.FindTable(g.Key) is not null)
            .Select(g => (session.Model.FindTable(g.Key)!, g.Select(e => e.Key).ToList())));
        while (pending.TryDequeue(out var principal))
        {
            foreach (var reference in principal.Table.ReferencedBy)
            {
                var referencing = await session.Rows(reference.Dependent)
                    .ReadWhereAsync(reference.Columns, [.. principal.Keys.Select(principal.Table.DecodeKey)], async, ct).ConfigureAwait(false);
                var held = await session.Shadow.ReadPeerRowsAsync(scope.PeerId, reference.Dependent.Name, referencing.Keys, async, ct).ConfigureAwait(false);
                var more = held.Where(key => evicted.Add((reference.Dependent.Name, key))).ToList();
                if (more.Count == 0)
                {
                    continue;
                }

                page.Evictions.AddRange(more.Select(key => new EvictMessage(reference.Dependent.Name, key)));
                page.Left.AddRange(more.Select(key => (reference.Dependent.Name, key)));
                page.States.RemoveAll(state => state.Table == reference.Dependent.Name && more.Contains(state.Key));
                page.Joined.RemoveAll(row => row.Table == reference.Dependent.Name && more.Contains(row.Key));
                pending.Enqueue((reference.Dependent, more));
            }
        }
    }

    /// <summary>
    /// What a scope adds to a page: the tombstones alone of deleted rows the peer holds, evictions of live rows it may no
    /// longer see, and the rows it holds from now on and no longer.
    /// </summary>
    public static void Add(FeedPage page, ReplicatedTable table, IEnumerable<ShadowRow> rows, ScopedRows scoped)
    {
        if (ReferenceEquals(scoped, ScopedRows.All))
        {
            return;
        }

        foreach (var row in rows.Where(r => scoped.Tombstones.Contains(r.Key)))
        {
            page.States.Add(new RowState(table.Name, row.Key, ColumnMap.Empty,
                ImmutableSortedSet<HybridTimestamp>.Empty, RowStateCodec.ParseTags(row.Tombstones)));
        }

        page.Evictions.AddRange(scoped.Evicted.Select(key => new EvictMessage(table.Name, key)));
        page.Joined.AddRange(scoped.Whole?.Select(key => (table.Name, key)) ?? []);
        page.Left.AddRange(scoped.Left.Select(key => (table.Name, key)));
    }
}
