using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;
using Microsoft.EntityFrameworkCore;
using static Liblim.EfCore.FunctionalTests.Infrastructure.Replicas;

namespace Liblim.EfCore.FunctionalTests.Semantics;

public abstract class InsertOnlyTests : ReplicaSuite
{
    public sealed class OnSqlite : InsertOnlyTests
    {
        protected override DatabaseKind[] Databases => SqliteOnly;
    }

    public sealed class Mixed : InsertOnlyTests
    {
        protected override DatabaseKind[] Databases => SqliteAndPostgres;
    }

    public sealed class OnPostgres : InsertOnlyTests
    {
        protected override DatabaseKind[] Databases => PostgresOnly;
    }

    [Fact]
    public async Task Rows_of_an_insert_only_table_from_every_replica_are_united()
    {
        using var a = NewReplica("a");
        using var b = NewReplica("b");
        await using (var db = a.Open()) { db.Audit.Add(new AuditEntry { Id = Guid.NewGuid(), Message = "a1" }); await db.SaveChangesAsync(); }
        await using (var db = b.Open()) { db.Audit.Add(new AuditEntry { Id = Guid.NewGuid(), Message = "b1" }); await db.SaveChangesAsync(); }

        await SyncAsync(a, b);

        Assert.Equal(Snapshot.Of(a), Snapshot.Of(b));
        Assert.Contains("a1", Snapshot.Of(b));
        Assert.Contains("b1", Snapshot.Of(a));
    }

    [Fact]
    public async Task Updating_an_insert_only_row_is_refused_and_nothing_is_saved()
    {
        using var a = NewReplica("a");
        var id = Guid.NewGuid();
        await using (var db = a.Open()) { db.Audit.Add(new AuditEntry { Id = id, Message = "original" }); await db.SaveChangesAsync(); }

        await using (var db = a.Open())
        {
            var entry = await db.Audit.SingleAsync();
            entry.Message = "changed";
            db.Items.Add(new TodoItem { Id = Guid.NewGuid(), Title = "saved in the same call" });
            var e = await Assert.ThrowsAsync<InsertOnlyViolationException>(() => db.SaveChangesAsync());
            Assert.Equal("updated", e.Operation);
        }

        await using var check = a.Open();
        Assert.Equal("original", (await check.Audit.SingleAsync()).Message);
        Assert.Equal(0, await check.Items.CountAsync());
    }

    [Fact]
    public async Task Deleting_an_insert_only_row_is_refused()
    {
        using var a = NewReplica("a");
        var id = Guid.NewGuid();
        await using (var db = a.Open()) { db.Audit.Add(new AuditEntry { Id = id, Message = "m" }); await db.SaveChangesAsync(); }

        await using (var db = a.Open())
        {
            db.Audit.Remove(await db.Audit.SingleAsync());
            var e = await Assert.ThrowsAsync<InsertOnlyViolationException>(() => db.SaveChangesAsync());
            Assert.Equal("deleted", e.Operation);
        }

        await using var check = a.Open();
        Assert.Equal(1, await check.Audit.CountAsync());
    }

    [Fact]
    public async Task Two_different_rows_with_one_key_are_a_conflict_reported_as_an_error_and_nothing_is_applied()
    {
        using var a = NewReplica("a");
        using var b = NewReplica("b");
        var id = Guid.NewGuid();
        await using (var db = a.Open()) { db.Audit.Add(new AuditEntry { Id = id, Message = "from a" }); await db.SaveChangesAsync(); }
        await using (var db = b.Open())
        {
            db.Audit.Add(new AuditEntry { Id = id, Message = "from b" });
            db.Items.Add(new TodoItem { Id = Guid.NewGuid(), Title = "same batch" });
            await db.SaveChangesAsync();
        }

        var before = Snapshot.Of(a);
        var e = await Assert.ThrowsAsync<InsertOnlyConflictException>(() => SyncAsync(a, b));

        Assert.Equal("Audit", e.Table);
        Assert.Equal(["Message"], e.Columns);
        Assert.Equal(before, Snapshot.Of(a));
    }
}
