using Liblim.EfCore.Crdt;

namespace Liblim.EfCore.Tests.Crdt;

/// <summary>
/// Which add tags of a rejoining peer a replica that has collected deleted rows takes as dead: those it holds neither alive
/// nor dead, at or below their node's horizon (docs/semantics.md, "Collecting deleted rows").
/// </summary>
public class CollectedTagsTests
{
    private static readonly Guid NodeA = Guid.Parse("aaaaaaaa-0000-0000-0000-000000000000");
    private static readonly Guid NodeB = Guid.Parse("bbbbbbbb-0000-0000-0000-000000000000");
    private static readonly Guid Adoption = Guid.Parse("00000000-0000-0000-0000-00000000ad07");

    // A's tags up to 100 were collected from; nothing of B's was.
    private static readonly CollectedTags Collected = new(new Dictionary<Guid, long> { [NodeA] = 100, [Adoption] = 1 << 20 }, Adoption);

    private static RowState Inserted(long ticks, Guid node)
        => RowState.Empty("T", "[1]").Insert([KeyValuePair.Create("Title", (string?)"\"x\"")], new HybridTimestamp(ticks, node));

    [Fact]
    public void A_tag_at_or_below_its_nodes_horizon_that_the_replica_does_not_hold_is_dead()
    {
        foreach (var ticks in new long[] { 1, 100 })
        {
            var screened = Collected.Screen(Inserted(ticks, NodeA), local: null);
            Assert.False(screened.IsAlive);
            Assert.Equal([new HybridTimestamp(ticks, NodeA)], screened.Tombstones);
            Assert.Equal("\"x\"", screened.Columns["Title"].Json); // the values stay, as a deleted row's do
        }
    }

    [Fact]
    public void A_tag_above_the_horizon_of_a_node_nothing_was_collected_of_or_of_an_adopted_row_passes()
    {
        foreach (var state in new[] { Inserted(101, NodeA), Inserted(5, NodeB), Inserted(7, Adoption) })
        {
            Assert.Same(state, Collected.Screen(state, local: null));
        }
    }

    [Fact]
    public void A_tag_the_replica_holds_alive_or_dead_passes_to_the_merge_as_it_is()
    {
        var remote = Inserted(50, NodeA);
        Assert.Same(remote, Collected.Screen(remote, local: remote));
        var deletedHere = remote.Delete();
        Assert.Same(remote, Collected.Screen(remote, local: deletedHere));
        Assert.False(RowMerge.Merge(deletedHere, Collected.Screen(remote, deletedHere)).IsAlive);
    }

    [Fact]
    public void Of_several_tags_only_those_that_may_have_been_collected_die_so_a_later_insert_keeps_the_row_alive()
    {
        var remote = RowMerge.Merge(Inserted(60, NodeA), Inserted(300, NodeA));
        var screened = Collected.Screen(remote, local: null);
        Assert.Equal([new HybridTimestamp(300, NodeA)], screened.AddTags);
        Assert.Equal([new HybridTimestamp(60, NodeA)], screened.Tombstones);
    }

    [Fact]
    public void Nothing_collected_screens_nothing()
    {
        var state = Inserted(1, NodeA);
        Assert.Same(state, new CollectedTags(new Dictionary<Guid, long>(), Adoption).Screen(state, local: null));
    }
}
