using Liblim.EfCore.Crdt;
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
    /// rows it lets the peer see are in the page (its positions still cover the rest). A page read <c>inspecting</c>, for a
    /// look at the database in the caller's snapshot (the command-line tool) rather than for a peer, holds what the snapshot
    /// holds, past the head too.
    /// </summary>
    public static async Task<FeedPage> ReadAsync(
        DbContext context, long since, long? through, int limit, Guid peer, PeerBaseline? baseline, PeerScope? scope, bool async, CancellationToken ct, bool inspecting = false)
    {
        // The head first: every position up to it has committed before the snapshot begins, and the page reads no further.
        var session = context.GetService<StoreSession>();
        if (!inspecting)
        {
            CheckSnapshotFollowsHead(context, session);
        }

        await session.OpenConnectionAsync(async, ct).ConfigureAwait(false);
        try
        {
            var head = await session.Shadow.ReadHeadAsync(async, ct).ConfigureAwait(false);
            var transaction = await OwnedTransaction.BeginSnapshotAsync(context, async, ct).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                var end = inspecting ? through ?? long.MaxValue : Math.Min(through ?? head, head);
                return await ReadSnapshotAsync(context, since, end, head, limit, peer.ToString("N"), baseline, scope, async, ct).ConfigureAwait(false);
            }
        }
        finally
        {
            await session.CloseConnectionAsync(async).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Refuses to read a feed whose positions are drawn (PostgreSQL) in an app's transaction whose snapshot was taken before
    /// the head is read (REPEATABLE READ or SERIALIZABLE): a position below the head could have committed after the
    /// snapshot, unseen by it, and the peer would move past it.
    /// </summary>
    private static void CheckSnapshotFollowsHead(DbContext context, StoreSession session)
    {
        if (session.Model.Shadow.FeedSequence is not null
            && session.CurrentTransaction?.IsolationLevel is System.Data.IsolationLevel.RepeatableRead or System.Data.IsolationLevel.Serializable or System.Data.IsolationLevel.Snapshot)
        {
            throw new InvalidOperationException(
                $"Liblim cannot read {context.GetType().Name}'s change feed in a REPEATABLE READ or SERIALIZABLE transaction of the app's on PostgreSQL: " +
                "sync outside the transaction, or in a READ COMMITTED one.");
        }
    }

    private static async Task<FeedPage> ReadSnapshotAsync(
        DbContext context, long since, long through, long head, int limit, string peer, PeerBaseline? baseline, PeerScope? scope, bool async, CancellationToken ct)
    {
        var session = context.GetService<StoreSession>();
        var (rows, last) = await session.Shadow.ReadFeedAsync(since, through, limit, peer, async, ct,
            scope is null ? null : (table, end) => scope.IsFresh(end) ? scope.FreshKeysAsync(context, table, since, end, ct) : Task.FromResult<IReadOnlyCollection<string>?>(null)).ConfigureAwait(false);
        var page = new FeedPage(new List<RowState>(rows.Count), last, head);
        foreach (var byTable in rows.GroupBy(r => r.Row.Table))
        {
            var table = session.Model.FindTable(byTable.Key);
            if (table is null)
            {
                // A table of another model version, whose rows are kept whole (NewerModelRows), goes on to peers that may
                // hold every table.
                page.States.AddRange(scope is not null ? [] : byTable.Select(r => RowStateCodec.Decode(null, r.Row, null)));
                continue;
            }

            var scoped = scope is null ? ScopedRows.All
                : await scope.SelectAsync(context, table, [.. byTable.Select(r => r.Row)], since, last, ct).ConfigureAwait(false);
            ScopedPage.Add(page, table, byTable.Select(r => r.Row), scoped);

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
            await ScopedPage.CompleteAsync(context, page, scope, rows.Select(r => r.Row), async, ct).ConfigureAwait(false);
        }

        return page;
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
