using System.Collections.Immutable;
using Liblim.EfCore.Crdt;
using Liblim.EfCore.Metadata.Internal;
using Liblim.EfCore.Protocol;
using Liblim.EfCore.Scopes.Internal;
using Liblim.EfCore.Storage.Internal;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Liblim.EfCore.Sync.Internal;

/// <summary>
/// Reads "everything changed here since sequence number N" through the sequence index, in time proportional
/// to the changes, with shown rows' values read from their tables in sets (values kept in the metadata row win).
/// </summary>
internal static class ChangeFeed
{
    /// <summary>
    /// A page of the change feed for a peer, after <paramref name="since"/> and up to <paramref name="through"/> (to the
    /// end when null). Rows whose state came whole from that peer are left out: it has them. Of the rows the peer holds as
    /// they were before their latest change (<paramref name="baseline"/>), those whose change was a local update are marked
    /// so, and those whose change merged the peer's own state are left out too. Under a <paramref name="scope"/>, only the
    /// rows it lets the peer see are in the page (its positions still cover the rest).
    /// </summary>
    public static async Task<FeedPage> ReadAsync(
        DbContext context, long since, long? through, int limit, Guid peer, PeerBaseline? baseline, PeerScope? scope, bool async, CancellationToken ct)
    {
        var transaction = await OwnedTransaction.BeginSnapshotAsync(context, async, ct).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            return await ReadSnapshotAsync(context, since, through, limit, peer.ToString("N"), baseline, scope, async, ct).ConfigureAwait(false);
        }
    }

    private static async Task<FeedPage> ReadSnapshotAsync(
        DbContext context, long since, long? through, int limit, string peer, PeerBaseline? baseline, PeerScope? scope, bool async, CancellationToken ct)
    {
        var session = context.GetService<StoreSession>();
        var head = await session.Shadow.ReadHeadAsync(async, ct).ConfigureAwait(false);
        var (rows, last) = await session.Shadow.ReadFeedAsync(since, through, limit, peer, async, ct,
            scope is null ? null : (table, end) => scope.IsFresh(end) ? scope.FreshKeysAsync(context, table, since, end, ct) : Task.FromResult<IReadOnlyCollection<string>?>(null)).ConfigureAwait(false);
        var page = new FeedPage(new List<RowState>(rows.Count), last, head);
        foreach (var byTable in rows.GroupBy(r => r.Row.Table))
        {
            var table = session.Model.FindTable(byTable.Key);
            if (table is null)
            {
                continue; // no longer replicated here
            }

            var scoped = scope is null ? ScopedRows.All
                : await scope.SelectAsync(context, table, [.. byTable.Select(r => r.Row)], since, last, ct).ConfigureAwait(false);
            AddScopeChanges(page, table, byTable.Select(r => r.Row), scoped);

            // A row shown as it is came with its data row. A held-back row's values are all kept in its metadata row, a
            // projected row's shown-null columns too: its data table is read only for what it holds as replicated, so a
            // projected null is never sent as a value.
            var rowsToSend = scoped.Whole is not { } whole ? byTable.ToList() : byTable.Where(r => whole.Contains(r.Row.Key)).ToList();
            var projected = rowsToSend.Where(r => r.Data is null && r.Row.IsShown).Select(r => r.Row.Key).ToList();
            var values = projected.Count == 0 ? [] : await session.Rows(table).ReadAsync(projected, async, ct).ConfigureAwait(false);
            foreach (var (row, data) in rowsToSend)
            {
                // The peer holds the row as it was before its latest change: that change alone is what it lacks.
                var heldBefore = row.LatestUpdate is { } update && baseline is { } b && b.HoldsBefore(row.Seq, update.Prior) ? update : (RowUpdate?)null;
                if (heldBefore?.From == peer)
                {
                    continue; // the peer's own state merged into one it held: it holds the result
                }

                var state = RowStateCodec.Decode(table, row, data ?? values.GetValueOrDefault(row.Key));
                if (HasUnloadedValue(state))
                {
                    // A live row whose data row is gone (removed behind Liblim's back): send what is known.
                    state = state with { Columns = state.Columns.RemoveRange(state.Columns.Where(c => c.Value.Json is null).Select(c => c.Key)) };
                }
                else if (heldBefore is { From: null })
                {
                    page.HeldBeforeUpdate.Add(state); // a local update: it goes alone
                }

                page.States.Add(state);
            }
        }

        if (scope is not null)
        {
            if (!scope.IsFresh(last))
            {
                // Rows before the page may have entered or left the scope through the page's rows; in a first sync from
                // nothing, every row is judged by its own page instead.
                await AddDependentsAsync(context, page, scope, rows.GroupBy(r => r.Row.Table).ToDictionary(g => g.Key, g => g.Select(r => r.Row).ToList()), last, async, ct).ConfigureAwait(false);
            }

            await EvictReferencingAsync(context, page, scope, async, ct).ConfigureAwait(false);
            await AddReferencedAsync(context, page, scope, async, ct).ConfigureAwait(false);
        }

        return page;
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
            AddScopeChanges(page, table, [], dependents);
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
    private static void AddScopeChanges(FeedPage page, ReplicatedTable table, IEnumerable<ShadowRow> rows, ScopedRows scoped)
    {
        if (ReferenceEquals(scoped, ScopedRows.All))
        {
            return;
        }

        foreach (var row in rows.Where(r => scoped.Tombstones.Contains(r.Key)))
        {
            page.States.Add(new RowState(table.Name, row.Key, ImmutableSortedDictionary.Create<string, ColumnValue>(StringComparer.Ordinal),
                ImmutableSortedSet<HybridTimestamp>.Empty, RowStateCodec.ParseTags(row.Tombstones)));
        }

        page.Evictions.AddRange(scoped.Evicted.Select(key => new EvictMessage(table.Name, key)));
        page.Joined.AddRange(scoped.Whole?.Select(key => (table.Name, key)) ?? []);
        page.Left.AddRange(scoped.Left.Select(key => (table.Name, key)));
    }

    private static bool HasUnloadedValue(RowState state)
    {
        foreach (var (_, value) in state.Columns)
        {
            if (value.Json is null)
            {
                return true;
            }
        }

        return false;
    }
}
