using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Capture;

/// <summary>What SaveChanges records, read back through the shadow tables.</summary>
public abstract class CaptureTests : ReplicaSuite
{
    public sealed class OnSqlite : CaptureTests
    {
        protected override DatabaseKind[] Databases => SqliteOnly;
    }

    public sealed class OnPostgres : CaptureTests
    {
        protected override DatabaseKind[] Databases => PostgresOnly;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_insert_records_one_metadata_row_with_one_add_tag(bool async)
    {
        using var replica = NewReplica("r");
        var id = Guid.NewGuid();
        await using (var db = replica.Open())
        {
            db.Items.Add(new TodoItem { Id = id, Title = "a" });
            _ = async ? await db.SaveChangesAsync() : db.SaveChanges();
        }

        var meta = ShadowRows.Row(replica, "Items", id);
        Assert.NotNull(meta);
        Assert.Null(meta.ColumnClocks);
        Assert.Equal(meta.Clock, meta.AddTags);
        Assert.Null(meta.Tombstones);
    }

    [Fact]
    public async Task Writes_to_tables_that_are_not_replicated_record_nothing()
    {
        using var replica = NewReplica("r");
        await using (var db = replica.Open())
        {
            db.Settings.Add(new LocalSetting { Value = "x" });
            await db.SaveChangesAsync();
        }

        Assert.Equal(0, ShadowRows.Count(replica));
    }

    [Fact]
    public async Task An_update_stamps_only_the_columns_whose_value_changed()
    {
        using var replica = NewReplica("r");
        var id = Guid.NewGuid();
        await using (var db = replica.Open())
        {
            db.Items.Add(new TodoItem { Id = id, Title = "a", Priority = 1 });
            await db.SaveChangesAsync();
            var item = await db.Items.SingleAsync();
            item.Title = "b";
            item.Priority = 1; // same value: not a change
            await db.SaveChangesAsync();
        }

        var meta = ShadowRows.Row(replica, "Items", id)!;
        Assert.Equal(["Title"], ShadowRows.ColumnsWithOwnClock(meta));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Update_of_a_detached_entity_stamps_only_really_changed_columns(bool async)
    {
        using var replica = NewReplica("r");
        var id = Guid.NewGuid();
        await using (var db = replica.Open())
        {
            db.Items.Add(new TodoItem { Id = id, Title = "a", Priority = 1, Notes = "n" });
            await db.SaveChangesAsync();
        }

        await using (var db = replica.Open())
        {
            // Update marks every property modified; only Done really differs from the stored row.
            db.Update(new TodoItem { Id = id, Title = "a", Priority = 1, Notes = "n", Done = true });
            _ = async ? await db.SaveChangesAsync() : db.SaveChanges();
        }

        Assert.Equal(["Done"], ShadowRows.ColumnsWithOwnClock(ShadowRows.Row(replica, "Items", id)!));
    }

    [Fact]
    public async Task Saving_an_unchanged_entity_with_Update_records_no_change()
    {
        using var replica = NewReplica("r");
        var id = Guid.NewGuid();
        await using (var db = replica.Open())
        {
            db.Items.Add(new TodoItem { Id = id, Title = "a" });
            await db.SaveChangesAsync();
        }

        var before = ShadowRows.Row(replica, "Items", id)!;
        await using (var db = replica.Open())
        {
            db.Update(new TodoItem { Id = id, Title = "a" });
            await db.SaveChangesAsync();
        }

        Assert.Equal(before, ShadowRows.Row(replica, "Items", id));
    }

    [Fact]
    public async Task A_delete_tombstones_the_tag_and_keeps_the_values()
    {
        using var replica = NewReplica("r");
        var id = Guid.NewGuid();
        await using (var db = replica.Open())
        {
            db.Items.Add(new TodoItem { Id = id, Title = "keep me", Priority = 3 });
            await db.SaveChangesAsync();
        }

        await using (var db = replica.Open())
        {
            db.Remove(new TodoItem { Id = id }); // a stub: the stored values are read, not taken from it
            await db.SaveChangesAsync();
        }

        var meta = ShadowRows.Row(replica, "Items", id)!;
        Assert.Null(meta.AddTags);
        Assert.NotNull(meta.Tombstones);
        Assert.Contains("\"Title\":\"keep me\"", meta.KeptValues);
        Assert.Contains("\"Priority\":3", meta.KeptValues);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_failed_SaveChanges_leaves_no_metadata_behind(bool async)
    {
        using var replica = NewReplica("r");
        var id = Guid.NewGuid();
        await using (var db = replica.Open())
        {
            db.Items.Add(new TodoItem { Id = id, Title = "a" });
            await db.SaveChangesAsync();
        }

        await using (var db = replica.Open())
        {
            db.Items.Add(new TodoItem { Id = Guid.NewGuid(), Title = "new" });
            db.Items.Add(new TodoItem { Id = id, Title = "duplicate key" });
            await Assert.ThrowsAsync<DbUpdateException>(async () => _ = async ? await db.SaveChangesAsync() : db.SaveChanges());
        }

        Assert.Equal(1, ShadowRows.Count(replica));
        Assert.Equal(1, ShadowRows.StateSeq(replica));
    }

    [Fact]
    public async Task A_cancelled_SaveChanges_leaves_no_data_and_no_metadata()
    {
        using var replica = NewReplica("r");
        await using (var db = replica.Open())
        {
            db.Items.Add(new TodoItem { Id = Guid.NewGuid(), Title = "a" });
            using var cts = new CancellationTokenSource();
            cts.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => db.SaveChangesAsync(cts.Token));
        }

        await using var check = replica.Open();
        Assert.Equal(0, await check.Items.CountAsync());
        Assert.Equal(0, ShadowRows.Count(replica));
    }

    [Fact]
    public async Task Metadata_joins_the_apps_own_transaction_and_rolls_back_with_it()
    {
        using var replica = NewReplica("r");
        await using (var db = replica.Open())
        {
            await using var tx = await db.Database.BeginTransactionAsync();
            db.Items.Add(new TodoItem { Id = Guid.NewGuid(), Title = "a" });
            await db.SaveChangesAsync();
            await tx.RollbackAsync();
        }

        await using var check = replica.Open();
        Assert.Equal(0, await check.Items.CountAsync());
        Assert.Equal(0, ShadowRows.Count(replica));
    }

    [Fact]
    public async Task Changes_saved_in_the_apps_transaction_are_recorded_when_it_commits()
    {
        using var replica = NewReplica("r");
        await using (var db = replica.Open())
        {
            await using var tx = await db.Database.BeginTransactionAsync();
            db.Items.Add(new TodoItem { Id = Guid.NewGuid(), Title = "a" });
            await db.SaveChangesAsync();
            db.Items.Add(new TodoItem { Id = Guid.NewGuid(), Title = "b" });
            await db.SaveChangesAsync();
            await tx.CommitAsync();
        }

        Assert.Equal(2, ShadowRows.Count(replica));
        Assert.Equal(2, ShadowRows.StateSeq(replica));
    }

    [Fact]
    public async Task Two_contexts_writing_one_database_at_once_get_distinct_sequence_numbers()
    {
        using var replica = NewReplica("r");
        async Task Writer(int n)
        {
            for (var i = 0; i < 20; i++)
            {
                await using var db = replica.Open();
                db.Items.Add(new TodoItem { Id = Guid.NewGuid(), Title = $"w{n}-{i}" });
                await db.SaveChangesAsync();
            }
        }

        await Task.WhenAll(Task.Run(() => Writer(1)), Task.Run(() => Writer(2)));

        var seqs = ShadowRows.Seqs(replica);
        Assert.Equal(40, seqs.Count);
        Assert.Equal(Enumerable.Range(1, 40).Select(i => (long)i), seqs.Order());
    }

    [Fact]
    public async Task The_clock_never_goes_back_across_restarts_even_when_the_wall_clock_does()
    {
        using var replica = NewReplica("r", o => o.TimeProvider(new FixedTime(DateTimeOffset.UtcNow.AddDays(1))));
        await using (var db = replica.Open())
        {
            db.Items.Add(new TodoItem { Id = Guid.NewGuid(), Title = "from the future" });
            await db.SaveChangesAsync();
        }

        var first = HybridTimestamp.Parse(ShadowRows.Rows(replica).Single().Clock);
        await using (var db = replica.OpenWith(o => o.TimeProvider(new FixedTime(DateTimeOffset.UtcNow.AddDays(-1)))))
        {
            db.Items.Add(new TodoItem { Id = Guid.NewGuid(), Title = "wall clock went back" });
            await db.SaveChangesAsync();
        }

        var clocks = ShadowRows.Rows(replica).Select(r => HybridTimestamp.Parse(r.Clock)).Order().ToList();
        Assert.Equal(first, clocks[0]);
        Assert.True(clocks[1] > clocks[0]);
    }

    [Fact]
    public async Task The_node_id_is_generated_once_and_kept_in_the_database()
    {
        using var replica = NewReplica("r");
        Guid first;
        await using (var db = replica.Open())
        {
            first = await db.Liblim().GetNodeIdAsync();
        }

        await using (var db = replica.Open())
        {
            Assert.Equal(first, await db.Liblim().GetNodeIdAsync());
        }

        Assert.NotEqual(Guid.Empty, first);
    }

    [Fact]
    public async Task A_configured_node_id_is_used_for_new_clocks()
    {
        var node = Guid.NewGuid();
        using var replica = NewReplica("r", o => o.NodeId(node));
        await using (var db = replica.Open())
        {
            db.Items.Add(new TodoItem { Id = Guid.NewGuid(), Title = "a" });
            await db.SaveChangesAsync();
            Assert.Equal(node, await db.Liblim().GetNodeIdAsync());
        }

        Assert.Equal(node, HybridTimestamp.Parse(ShadowRows.Rows(replica).Single().Clock).Node);
    }
}
