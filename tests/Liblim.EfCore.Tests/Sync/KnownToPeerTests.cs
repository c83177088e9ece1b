using Liblim.EfCore.Crdt;
using Liblim.EfCore.Sync.Internal;
using static Liblim.EfCore.Tests.Crdt.RowStateGen;

namespace Liblim.EfCore.Tests.Sync;

/// <summary>What a live session sends of rows that went over its connection before (docs/protocol.md section 5).</summary>
public class KnownToPeerTests
{
    private static readonly RowState Inserted = Empty.Insert([new("a", "1"), new("b", "2"), new("c", "3")], new HybridTimestamp(1, Nodes[0]));
    private static FeedPage Page(params RowState[] states) => new([.. states], 0, 0);

    private static readonly RowState Edited = Inserted.Write([new("b", "20")], new HybridTimestamp(2, Nodes[0]));

    [Fact]
    public void A_row_the_peer_holds_as_it_was_before_its_update_goes_as_the_update_and_is_then_known_whole()
    {
        var known = new KnownToPeer(10);
        var page = Page(Edited);
        page.HeldBeforeUpdate.Add(Edited);

        var sent = Assert.Single(known.Shorten(page));
        known.Learn([RowDelta.LatestWrite(Edited)]); // the peer sends back what it got: nothing new to it
        var back = known.Shorten(Page(Edited));

        Assert.Equal(["b"], sent.Columns.Keys);
        Assert.Empty(back);
    }

    [Fact]
    public void A_row_sent_before_goes_as_what_changed_and_not_at_all_when_nothing_did()
    {
        var known = new KnownToPeer(10);

        var first = Assert.Single(known.Shorten(Page(Inserted)));
        var second = Assert.Single(known.Shorten(Page(Edited)));
        var third = known.Shorten(Page(Edited));

        Assert.True(first.SameAs(Inserted));
        Assert.Equal(["b"], second.Columns.Keys);
        Assert.Empty(third);
    }

    [Fact]
    public void A_row_the_peer_sent_goes_back_as_what_changed_here_since()
    {
        var known = new KnownToPeer(10);
        known.Learn([Inserted]);

        var sent = Assert.Single(known.Shorten(Page(Edited)));

        Assert.Equal(["b"], sent.Columns.Keys);
        Assert.Empty(known.Shorten(Page(Inserted))); // what the peer sent is not sent back to it
    }

    [Fact]
    public void Rows_go_whole_when_it_remembers_none_and_once_more_after_it_was_full_and_forgot()
    {
        var none = new KnownToPeer(0);
        none.Shorten(Page(Inserted));
        Assert.True(Assert.Single(none.Shorten(Page(Edited))).SameAs(Edited));

        var one = new KnownToPeer(1);
        one.Shorten(Page(Inserted));
        var other = RowState.Empty(Table, "[2]").Insert([new("a", "1")], new HybridTimestamp(1, Nodes[1]));
        one.Shorten(Page(other)); // full: forgets the first row
        Assert.True(Assert.Single(one.Shorten(Page(Edited))).SameAs(Edited));
    }
}
