using System.Data.Common;
using Liblim.EfCore.Crdt;
using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.Infrastructure;
using Liblim.EfCore.Merge.Internal;
using Liblim.EfCore.Sync.Internal;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Liblim.EfCore.FunctionalTests.Relationships;

/// <summary>
/// Suites over <see cref="RelationDb"/>, written once and run on SQLite, PostgreSQL and mixed pairs; with helpers to
/// edit, sync, show what each replica holds, and check that no constraint is violated.
/// </summary>
public abstract class RelationSuite : ReplicaSuite
{
    /// <summary>A new replica, on the clock the test's replicas share (see <see cref="ReplicaSuite.NewReplica"/>).</summary>
    protected RelationReplica NewRelationReplica(string name) => new(NextDatabase(), name, OnSharedClock(null));

    /// <summary>A new replica whose contexts take these Liblim options (a clock of the test's, say).</summary>
    protected RelationReplica NewRelationReplica(string name, Action<LiblimOptionsBuilder> configure) => new(NextDatabase(), name, OnSharedClock(configure));

    protected static async Task<SyncResult> SyncAsync(RelationReplica a, RelationReplica b)
    {
        await using var da = a.Open();
        await using var db = b.Open();
        return await da.Liblim().SyncWithAsync(db);
    }

    protected static async Task SaveAsync(RelationReplica replica, Action<RelationDb> edit)
    {
        await using var db = replica.Open();
        edit(db);
        await db.SaveChangesAsync();
    }

    protected static async Task<T?> FindAsync<T>(RelationReplica replica, Guid id)
        where T : class
    {
        await using var db = replica.Open();
        return await db.Set<T>().FindAsync(id);
    }

    protected static async Task<IReadOnlyList<HeldBackRow>> HeldAsync(RelationReplica replica)
    {
        await using var db = replica.Open();
        return await db.Liblim().GetHeldBackRowsAsync();
    }

    /// <summary>The replica's rows held back, as comparable text.</summary>
    protected static async Task<string> HeldTextAsync(RelationReplica replica)
        => string.Join("\n", (await HeldAsync(replica)).Select(h => $"{h.Table} {h.Key} {h.Reason} {h.RelatedTable} {h.RelatedKey} {h.Index}"));

    /// <summary>What a user sees in every table, as comparable text.</summary>
    protected static async Task<string> ShownAsync(RelationReplica replica)
    {
        await using var db = replica.Open();
        var lines = new List<string>();
        lines.AddRange((await db.Lists.AsNoTracking().ToListAsync()).Select(l => $"list {l.Id} {l.Title} owner={l.OwnerId} pinned={l.PinnedTodoId}"));
        lines.AddRange((await db.Todos.AsNoTracking().ToListAsync()).Select(t => $"todo {t.Id} list={t.ListId} {t.Text}"));
        lines.AddRange((await db.Categories.AsNoTracking().ToListAsync()).Select(c => $"category {c.Id} {c.Name} parent={c.ParentId}"));
        lines.AddRange((await db.Users.AsNoTracking().ToListAsync()).Select(u => $"user {u.Id} {u.Name} {u.Email}"));
        lines.AddRange((await db.Tags.AsNoTracking().ToListAsync()).Select(t => $"tag {t.Id} {t.Label}"));
        lines.AddRange((await db.Orders.AsNoTracking().ToListAsync()).Select(o => $"order {o.Id} {o.Number}"));
        lines.AddRange((await db.Lines.AsNoTracking().ToListAsync()).Select(l => $"line {l.Id} order={l.OrderId} {l.Product}"));
        lines.AddRange((await db.Notes.AsNoTracking().ToListAsync()).Select(n => $"note {n.Id} list={n.ListId} {n.Text}"));
        return string.Join("\n", lines.Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// Checks the database with plain SQL: no row references a row that is not there, no unique value is held twice,
    /// and (SQLite) PRAGMA foreign_key_check finds nothing.
    /// </summary>
    protected static async Task AssertConstraintsHoldAsync(RelationReplica replica)
    {
        await using var db = replica.Open();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        if (replica.Database == DatabaseKind.Sqlite)
        {
            Assert.Equal(1L, await ScalarAsync(connection, "PRAGMA foreign_keys"));
            await using var check = connection.CreateCommand();
            check.CommandText = "PRAGMA foreign_key_check";
            await using var reader = await check.ExecuteReaderAsync();
            Assert.False(await reader.ReadAsync(), $"{replica}: PRAGMA foreign_key_check reports a violation in {(reader.HasRows ? reader.GetString(0) : "")}");
        }

        var sql = db.GetService<Microsoft.EntityFrameworkCore.Storage.ISqlGenerationHelper>();
        foreach (var entity in db.Model.GetEntityTypes().Where(e => e.GetReplicationKind() is not null))
        {
            var table = sql.DelimitIdentifier(entity.GetTableName()!);
            foreach (var fk in entity.GetForeignKeys())
            {
                var column = sql.DelimitIdentifier(fk.Properties.Single().GetColumnName());
                var principal = sql.DelimitIdentifier(fk.PrincipalEntityType.GetTableName()!);
                var orphans = await ScalarAsync(connection,
                    $"SELECT count(*) FROM {table} d WHERE d.{column} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {principal} p WHERE p.{sql.DelimitIdentifier("Id")} = d.{column})");
                Assert.True(orphans == 0, $"{replica}: {orphans} row(s) of {table} reference a missing row of {principal}.");
            }

            foreach (var index in entity.GetIndexes().Where(i => i.IsUnique))
            {
                var column = sql.DelimitIdentifier(index.Properties.Single().GetColumnName());
                var twice = await ScalarAsync(connection, $"SELECT count(*) FROM (SELECT {column} FROM {table} GROUP BY {column} HAVING count(*) > 1) x");
                Assert.True(twice == 0, $"{replica}: {twice} value(s) of {table}.{column} are held by more than one row.");
            }
        }
    }

    /// <summary>Live states (add tags) count: every one is shown or held back.</summary>
    protected static async Task AssertEveryLiveRowIsShownOrHeldBackAsync(RelationReplica replica)
    {
        await using var db = replica.Open();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        // Every row's metadata, from both places (ShadowRows checks that no row has it in both).
        var alive = ShadowRows.Rows(replica.Open).Count(m => m.AddTags is not null);
        var shown = await db.Lists.CountAsync() + await db.Todos.CountAsync() + await db.Categories.CountAsync() + await db.Users.CountAsync()
                    + await db.Tags.CountAsync() + await db.Orders.CountAsync() + await db.Lines.CountAsync() + await db.Notes.CountAsync();
        var held = (await db.Liblim().GetHeldBackRowsAsync()).Count;
        Assert.Equal(alive, shown + held);
    }

    /// <summary>
    /// Sends rows of one replica's change feed to another in batches of the caller's choosing (each applied as a
    /// peer's batch), so that a test decides what arrives first.
    /// </summary>
    private protected static async Task PushAsync(RelationReplica from, RelationReplica to, Func<RowState, bool> which, int batchSize = 1000)
    {
        List<RowState> states;
        Guid node;
        await using (var source = from.Open())
        {
            node = await source.Liblim().GetNodeIdAsync();
            (states, _, _) = await ChangeFeed.ReadAsync(source, 0, null, 100_000, Guid.NewGuid(), baseline: null, scope: null, async: true, default);
        }

        await using var target = to.Open();
        foreach (var batch in states.Where(which).Chunk(batchSize))
        {
            await RowStateApplier.ApplyAsync(target, new RemoteBatch(from.Name, node, batch, Watermark: null), async: true, default);
        }
    }

    private protected static Func<RowState, bool> Table(string name) => s => s.Table == name;

    protected static string Key(Guid id) => $"[\"{id}\"]";

    private static async Task<long> ScalarAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
