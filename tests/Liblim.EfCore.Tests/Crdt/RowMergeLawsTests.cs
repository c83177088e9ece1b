using CsCheck;
using Liblim.EfCore.Crdt;
using static Liblim.EfCore.Tests.Crdt.RowStateGen;

namespace Liblim.EfCore.Tests.Crdt;

/// <summary>Merge is a join: idempotent, commutative, associative, with the empty state as identity.</summary>
public class RowMergeLawsTests
{
    private const int Iterations = 1000;

    private static void AssertSame(RowState expected, RowState actual)
        => Assert.True(expected.SameAs(actual), $"expected {Show(expected)}\n  actual {Show(actual)}");

    [Fact]
    public void Merge_is_idempotent()
    {
        Realistic.Sample(a => AssertSame(a, RowMerge.Merge(a, a)), iter: Iterations);
    }

    [Fact]
    public void Merge_is_commutative()
    {
        Gen.Select(Realistic, Realistic).Sample((a, b) => AssertSame(RowMerge.Merge(a, b), RowMerge.Merge(b, a)), iter: Iterations);
    }

    [Fact]
    public void Merge_is_associative()
    {
        Gen.Select(Realistic, Realistic, Realistic).Sample((a, b, c) =>
            AssertSame(RowMerge.Merge(RowMerge.Merge(a, b), c), RowMerge.Merge(a, RowMerge.Merge(b, c))), iter: Iterations);
    }

    [Fact]
    public void Merge_with_the_empty_state_is_identity()
    {
        Realistic.Sample(a =>
        {
            AssertSame(a, RowMerge.Merge(a, Empty));
            AssertSame(a, RowMerge.Merge(Empty, a));
        }, iter: Iterations);
    }

    [Fact]
    public void Merge_absorbs_a_state_already_merged()
    {
        Gen.Select(Realistic, Realistic).Sample((a, b) =>
        {
            var ab = RowMerge.Merge(a, b);
            AssertSame(ab, RowMerge.Merge(ab, a));
            AssertSame(ab, RowMerge.Merge(b, ab));
        }, iter: Iterations);
    }

    [Fact]
    public void Merge_keeps_the_greatest_clock_of_either_side()
    {
        Gen.Select(Realistic, Realistic).Sample((a, b) =>
        {
            var merged = RowMerge.Merge(a, b).MaxClock;
            HybridTimestamp? expected = a.MaxClock is null ? b.MaxClock
                : b.MaxClock is null ? a.MaxClock
                : a.MaxClock > b.MaxClock ? a.MaxClock : b.MaxClock;
            Assert.Equal(expected, merged);
        }, iter: Iterations);
    }

    [Fact]
    public void A_tag_tombstoned_on_either_side_is_dead_after_merge()
    {
        Gen.Select(Realistic, Realistic).Sample((a, b) =>
        {
            var merged = RowMerge.Merge(a, b);
            Assert.Empty(merged.AddTags.Intersect(a.Tombstones.Union(b.Tombstones)));
            Assert.True(merged.Tombstones.SetEquals(a.Tombstones.Union(b.Tombstones)));
            Assert.True(merged.AddTags.SetEquals(a.AddTags.Union(b.AddTags).Except(merged.Tombstones)));
        }, iter: Iterations);
    }

    [Fact]
    public void Merge_stays_commutative_and_associative_with_different_values_at_equal_clocks()
    {
        Gen.Select(Arbitrary, Arbitrary, Arbitrary).Sample((a, b, c) =>
        {
            AssertSame(RowMerge.Merge(a, b), RowMerge.Merge(b, a));
            AssertSame(a, RowMerge.Merge(a, a));
            AssertSame(RowMerge.Merge(RowMerge.Merge(a, b), c), RowMerge.Merge(a, RowMerge.Merge(b, c)));
        }, iter: Iterations);
    }

    [Fact]
    public void Merge_is_the_join_of_each_register_and_of_the_tags_also_when_one_side_holds_the_other()
    {
        // Besides two random states: a state with its own join, and a newer version of a row with an older one, where
        // one side is the whole result.
        Gen.Select(Arbitrary, Arbitrary).Sample((a, b) =>
        {
            var ab = RowMerge.Merge(a, b);
            AssertJoin(a, b);
            AssertJoin(ab, a);
            AssertJoin(b, ab);
            AssertJoin(a, a);
        }, iter: Iterations);
    }

    private static void AssertJoin(RowState a, RowState b)
    {
        var merged = RowMerge.Merge(a, b);
        var names = a.Columns.Keys.Union(b.Columns.Keys).ToList();
        Assert.Equal(names.Count, merged.Columns.Count);
        foreach (var name in names)
        {
            var expected = a.Columns.TryGetValue(name, out var x)
                ? b.Columns.TryGetValue(name, out var y) ? ColumnValue.Merge(x, y) : x
                : b.Columns[name];
            Assert.Equal(expected, merged.Columns[name]);
        }

        var tombstones = a.Tombstones.Union(b.Tombstones);
        Assert.Equal(tombstones, merged.Tombstones);
        Assert.Equal(a.AddTags.Union(b.AddTags).Except(tombstones), merged.AddTags);
    }

    [Fact]
    public void Equal_clocks_with_different_values_resolve_to_the_ordinal_greater_value_on_every_replica()
    {
        var clock = new HybridTimestamp(5, Nodes[0]);
        var x = new ColumnValue("\"apple\"", clock);
        var y = new ColumnValue("\"banana\"", clock);
        Assert.Equal(y, ColumnValue.Merge(x, y));
        Assert.Equal(y, ColumnValue.Merge(y, x));
    }

    [Fact]
    public void Merging_states_of_different_rows_is_refused()
    {
        var a = RowState.Empty("T", "[1]");
        Assert.Throws<ArgumentException>(() => RowMerge.Merge(a, RowState.Empty("T", "[2]")));
        Assert.Throws<ArgumentException>(() => RowMerge.Merge(a, RowState.Empty("U", "[1]")));
        Assert.Throws<ArgumentException>(() => RowMerge.MergeInsertOnly(a, RowState.Empty("T", "[2]")));
    }
}
