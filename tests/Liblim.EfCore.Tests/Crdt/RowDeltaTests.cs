using CsCheck;
using Liblim.EfCore.Crdt;
using static Liblim.EfCore.Tests.Crdt.RowStateGen;

namespace Liblim.EfCore.Tests.Crdt;

/// <summary>
/// A live session sends a row it sent before as what changed since (docs/protocol.md section 5): merged into any state
/// that holds the one sent, the delta gives exactly what the whole state gives.
/// </summary>
public class RowDeltaTests
{
    private const int Iterations = 2000;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_delta_merged_into_a_state_holding_the_sent_one_gives_what_the_whole_state_gives(bool anyValues)
    {
        var states = anyValues ? Arbitrary : Realistic; // Arbitrary: also different values at equal clocks
        Gen.Select(states, states, states).Sample((sent, change, receiver) =>
        {
            var current = RowMerge.Merge(sent, change); // the sender's state only grows
            var holding = RowMerge.Merge(receiver, sent); // the receiver applied what was sent
            var delta = RowDelta.Since(sent, current);
            var expected = RowMerge.Merge(holding, current);
            var actual = delta is null ? holding : RowMerge.Merge(holding, delta);
            Assert.True(expected.SameAs(actual), $"sent {Show(sent)}\n current {Show(current)}\n receiver {Show(holding)}\n delta {(delta is null ? "none" : Show(delta))}");
        }, iter: Iterations);
    }

    [Fact]
    public void The_registers_of_an_update_later_than_every_clock_merged_into_a_state_holding_the_row_before_it_give_what_the_whole_state_gives()
    {
        var at = new HybridTimestamp(10, Nodes[0]); // later than every clock the generators use
        Gen.Select(Realistic, Realistic, Gen.Bool.Array[ColumnNames.Length]).Sample((before, receiver, written) =>
        {
            var after = before.Write(ColumnNames.Where((_, i) => written[i]).Select(n => KeyValuePair.Create(n, (string?)ValueOf(at))), at);
            var holding = RowMerge.Merge(receiver, before);
            var expected = RowMerge.Merge(holding, after);
            var actual = RowMerge.Merge(holding, RowDelta.LatestWrite(after));
            Assert.True(expected.SameAs(actual), $"before {Show(before)}\n after {Show(after)}\n receiver {Show(holding)}");
        }, iter: Iterations);
    }

    [Fact]
    public void A_delta_is_never_larger_than_the_whole_state_and_is_none_when_nothing_changed()
    {
        Gen.Select(Realistic, Realistic).Sample((sent, change) =>
        {
            var current = RowMerge.Merge(sent, change);
            var delta = RowDelta.Since(sent, current);
            Assert.True(delta is null || delta.Columns.Count <= current.Columns.Count);
            Assert.Null(RowDelta.Since(current, current));
        }, iter: Iterations);
    }

    [Fact]
    public void A_one_column_update_goes_as_that_column_alone()
    {
        var inserted = Empty.Insert([new("a", "1"), new("b", "2"), new("c", "3")], new HybridTimestamp(1, Nodes[0]));
        var updated = inserted.Write([new("b", "20")], new HybridTimestamp(2, Nodes[0]));

        var delta = RowDelta.Since(inserted, updated)!;

        Assert.Equal(["b"], delta.Columns.Keys);
        Assert.Equal("20", delta.Columns["b"].Json);
        Assert.Empty(delta.AddTags);
        Assert.Empty(delta.Tombstones);
    }

    [Fact]
    public void A_delete_goes_as_its_tombstones_alone_and_a_revive_goes_whole()
    {
        var inserted = Empty.Insert([new("a", "1"), new("b", "2")], new HybridTimestamp(1, Nodes[0]));
        var deleted = inserted.Delete();
        var revived = deleted.Insert([new("a", "5")], new HybridTimestamp(3, Nodes[1]));

        var delete = RowDelta.Since(inserted, deleted)!;
        var revive = RowDelta.Since(deleted, revived)!;

        Assert.Empty(delete.Columns);
        Assert.Equal(inserted.AddTags, delete.Tombstones);
        Assert.True(revive.SameAs(revived));
    }
}
