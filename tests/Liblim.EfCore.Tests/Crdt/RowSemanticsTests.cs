using Liblim.EfCore.Crdt;

namespace Liblim.EfCore.Tests.Crdt;

/// <summary>What replicas see after merging, one documented rule per test.</summary>
public class RowSemanticsTests
{
    private static readonly Guid NodeA = Guid.Parse("aaaaaaaa-0000-0000-0000-000000000000");
    private static readonly Guid NodeB = Guid.Parse("bbbbbbbb-0000-0000-0000-000000000000");

    private static HybridTimestamp At(long ticks, Guid node) => new(ticks, node);

    private static KeyValuePair<string, string?>[] Values(params (string Column, string? Json)[] values)
        => [.. values.Select(v => KeyValuePair.Create(v.Column, v.Json))];

    private static RowState Inserted(HybridTimestamp at, params (string, string?)[] values)
        => RowState.Empty("T", "[1]").Insert(Values(values), at);

    /// <summary>Merges in both orders, checks they agree, and returns the result.</summary>
    private static RowState MergeBothWays(RowState x, RowState y)
    {
        var xy = RowMerge.Merge(x, y);
        var yx = RowMerge.Merge(y, x);
        Assert.True(xy.SameAs(yx), "merge depends on order");
        return xy;
    }

    [Fact]
    public void Insert_makes_the_row_alive_with_one_tag_and_every_column_at_the_insert_clock()
    {
        var t1 = At(1, NodeA);
        var row = Inserted(t1, ("a", "1"), ("b", "\"x\""));
        Assert.True(row.IsAlive);
        Assert.Equal([t1], row.AddTags);
        Assert.Empty(row.Tombstones);
        Assert.Equal(new ColumnValue("1", t1), row.Columns["a"]);
        Assert.Equal(new ColumnValue("\"x\"", t1), row.Columns["b"]);
        Assert.False(RowState.Empty("T", "[1]").IsAlive);
    }

    [Fact]
    public void The_later_write_of_a_column_wins_whichever_order_states_merge()
    {
        var row = Inserted(At(1, NodeA), ("a", "0"));
        var onA = row.Write(Values(("a", "\"from A\"")), At(2, NodeA));
        var onB = row.Write(Values(("a", "\"from B\"")), At(3, NodeB));

        var merged = MergeBothWays(onA, onB);

        Assert.Equal(new ColumnValue("\"from B\"", At(3, NodeB), Prior: At(1, NodeA)), merged.Columns["a"]);
        Assert.True(merged.IsAlive);
    }

    [Fact]
    public void At_equal_ticks_the_greater_node_id_wins()
    {
        var row = Inserted(At(1, NodeA), ("a", "0"));
        var onA = row.Write(Values(("a", "\"from A\"")), At(2, NodeA));
        var onB = row.Write(Values(("a", "\"from B\"")), At(2, NodeB));

        Assert.Equal("\"from B\"", MergeBothWays(onA, onB).Columns["a"].Json);
    }

    [Fact]
    public void Concurrent_updates_of_different_columns_both_survive()
    {
        var row = Inserted(At(1, NodeA), ("a", "0"), ("b", "0"));
        var onA = row.Write(Values(("a", "1")), At(2, NodeA));
        var onB = row.Write(Values(("b", "2")), At(2, NodeB));

        var merged = MergeBothWays(onA, onB);

        Assert.Equal(new ColumnValue("1", At(2, NodeA), Prior: At(1, NodeA)), merged.Columns["a"]);
        Assert.Equal(new ColumnValue("2", At(2, NodeB), Prior: At(1, NodeA)), merged.Columns["b"]);
    }

    [Fact]
    public void Delete_tombstones_every_tag_seen_and_keeps_the_registers()
    {
        var t1 = At(1, NodeA);
        var deleted = Inserted(t1, ("a", "1")).Delete();
        Assert.False(deleted.IsAlive);
        Assert.Empty(deleted.AddTags);
        Assert.Equal([t1], deleted.Tombstones);
        Assert.Equal(new ColumnValue("1", t1), deleted.Columns["a"]);
    }

    [Fact]
    public void Delete_spares_a_concurrent_insert_it_did_not_observe()
    {
        var t1 = At(1, NodeA);
        var t2 = At(2, NodeB);
        var deletedOnA = Inserted(t1, ("a", "1")).Delete();
        var insertedOnB = Inserted(t2, ("a", "2"));

        var merged = MergeBothWays(deletedOnA, insertedOnB);

        Assert.True(merged.IsAlive);
        Assert.Equal([t2], merged.AddTags);
        Assert.Equal([t1], merged.Tombstones);
        Assert.Equal(new ColumnValue("2", t2), merged.Columns["a"]);
    }

    [Fact]
    public void Delete_kills_the_row_on_a_replica_that_only_saw_the_same_insert()
    {
        var row = Inserted(At(1, NodeA), ("a", "1"));
        var merged = MergeBothWays(row, row.Delete());
        Assert.False(merged.IsAlive);
    }

    [Fact]
    public void An_update_concurrent_with_a_delete_does_not_resurrect_the_row_but_its_value_is_kept()
    {
        var row = Inserted(At(1, NodeA), ("a", "1"), ("b", "1"));
        var updatedOnA = row.Write(Values(("a", "\"later\"")), At(3, NodeA));
        var deletedOnB = row.Delete();

        var merged = MergeBothWays(updatedOnA, deletedOnB);

        Assert.False(merged.IsAlive);
        Assert.Equal(new ColumnValue("\"later\"", At(3, NodeA), Prior: At(1, NodeA)), merged.Columns["a"]);
        Assert.Equal(new ColumnValue("1", At(1, NodeA)), merged.Columns["b"]);
    }

    [Fact]
    public void Reinsert_after_delete_makes_the_row_alive_again_everywhere()
    {
        var row = Inserted(At(1, NodeA), ("a", "1"));
        var deleted = row.Delete();
        var reinserted = deleted.Insert(Values(("a", "2")), At(4, NodeA));

        Assert.True(reinserted.IsAlive);
        Assert.Equal([At(4, NodeA)], reinserted.AddTags);

        // A replica that still holds the delete (or the original insert) comes alive on merge.
        var merged = MergeBothWays(deleted, reinserted);
        Assert.True(merged.IsAlive);
        Assert.Equal("2", merged.Columns["a"].Json);
        Assert.True(RowMerge.Merge(row, reinserted).IsAlive);
    }

    [Fact]
    public void A_write_moves_only_the_clocks_of_the_columns_it_writes()
    {
        var t1 = At(1, NodeA);
        var row = Inserted(t1, ("a", "1"), ("b", "1")).Write(Values(("b", "2")), At(2, NodeA));
        Assert.Equal(t1, row.Columns["a"].Clock);
        Assert.Equal(At(2, NodeA), row.Columns["b"].Clock);
        Assert.Equal(At(2, NodeA), row.MaxClock);
    }

    [Fact]
    public void Insert_only_merge_of_different_values_is_a_conflict()
    {
        var onA = Inserted(At(1, NodeA), ("a", "1"), ("b", "\"same\""));
        var onB = Inserted(At(1, NodeB), ("a", "2"), ("b", "\"same\""));

        var ex = Assert.Throws<InsertOnlyConflictException>(() => RowMerge.MergeInsertOnly(onA, onB));

        Assert.Equal("T", ex.Table);
        Assert.Equal("[1]", ex.Key);
        Assert.Equal(["a"], ex.Columns);
        Assert.Contains(NodeA.ToString(), ex.Message, StringComparison.Ordinal);
        Assert.Contains(NodeB.ToString(), ex.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<LiblimException>(ex);
    }

    [Fact]
    public void Insert_only_merge_of_a_column_present_on_one_side_only_is_a_conflict()
    {
        var onA = Inserted(At(1, NodeA), ("a", "1"));
        var onB = Inserted(At(1, NodeB), ("a", "1"), ("b", "2"));

        var ex = Assert.Throws<InsertOnlyConflictException>(() => RowMerge.MergeInsertOnly(onA, onB));
        Assert.Equal(["b"], ex.Columns);
    }

    [Fact]
    public void Insert_only_merge_of_equal_values_unions_the_tags()
    {
        var onA = Inserted(At(1, NodeA), ("a", "1"));
        var onB = Inserted(At(2, NodeB), ("a", "1"));

        var merged = RowMerge.MergeInsertOnly(onA, onB);

        Assert.True(merged.IsAlive);
        Assert.Equal([At(1, NodeA), At(2, NodeB)], merged.AddTags);
        Assert.Equal("1", merged.Columns["a"].Json);
        Assert.True(merged.SameAs(RowMerge.MergeInsertOnly(onB, onA)));
    }

    [Fact]
    public void Insert_only_merge_with_a_dead_side_is_no_conflict()
    {
        var onA = Inserted(At(1, NodeA), ("a", "1")).Delete();
        var onB = Inserted(At(2, NodeB), ("a", "2"));

        var merged = RowMerge.MergeInsertOnly(onA, onB);

        Assert.True(merged.IsAlive);
        Assert.Equal("2", merged.Columns["a"].Json);
    }
}
