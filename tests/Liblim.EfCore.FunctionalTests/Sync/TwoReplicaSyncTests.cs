using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Sync;

public abstract class TwoReplicaSyncTests : ReplicaSuite
{
    public sealed class OnSqlite : TwoReplicaSyncTests
    {
        protected override DatabaseKind[] Databases => SqliteOnly;
    }

    public sealed class Mixed : TwoReplicaSyncTests
    {
        protected override DatabaseKind[] Databases => SqliteAndPostgres;
    }

    public sealed class OnPostgres : TwoReplicaSyncTests
    {
        protected override DatabaseKind[] Databases => PostgresOnly;
    }

    [Fact]
    public async Task Rows_inserted_on_each_side_appear_on_both_after_one_sync()
    {
        using var phone = NewReplica("phone");
        using var laptop = NewReplica("laptop");
        await using (var db = phone.Open())
        {
            db.Items.Add(new TodoItem { Id = Guid.NewGuid(), Title = "milk", Place = new Address { City = "Oslo" } });
            await db.SaveChangesAsync();
        }

        await using (var db = laptop.Open())
        {
            db.Items.Add(new TodoItem { Id = Guid.NewGuid(), Title = "bread", Cost = 1.50m });
            db.Shapes.Add(new Circle { Code = "c", Region = 1, Color = "red", Radius = 2.5 });
            await db.SaveChangesAsync();
        }

        var result = await Replicas.SyncAsync(phone, laptop);

        Assert.Equal(2, result.RowsReceived);
        Assert.Equal(2, result.RowsApplied);
        Assert.Equal(1, result.RowsAppliedByPeer);
        Assert.Equal(Snapshot.Of(phone), Snapshot.Of(laptop));
        Assert.Contains("title=milk", Snapshot.Of(laptop));
        Assert.Contains("city=Oslo", Snapshot.Of(laptop));
        Assert.Contains("circle c/1 red r=2.5", Snapshot.Of(phone));
    }

    [Fact]
    public async Task A_second_sync_right_after_applies_nothing()
    {
        using var a = NewReplica("a");
        using var b = NewReplica("b");
        await using (var db = a.Open())
        {
            db.Items.Add(new TodoItem { Id = Guid.NewGuid(), Title = "x" });
            await db.SaveChangesAsync();
        }

        await Replicas.SyncAsync(a, b);
        var second = await Replicas.SyncAsync(a, b);

        Assert.Equal(0, second.RowsApplied);
        Assert.Equal(0, second.RowsAppliedByPeer);
    }
}
