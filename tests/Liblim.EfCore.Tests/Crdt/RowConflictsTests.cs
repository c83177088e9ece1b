using CsCheck;
using Liblim.EfCore.Crdt;

namespace Liblim.EfCore.Tests.Crdt;

/// <summary>
/// Which merges are conflicts (docs/semantics.md, "Conflicts"): a column decided between two different values whose later
/// write was made without its writer having seen the earlier one.
/// </summary>
public class RowConflictsTests
{
    private static readonly Guid NodeA = Guid.Parse("aaaaaaaa-0000-0000-0000-000000000000");
    private static readonly Guid NodeB = Guid.Parse("bbbbbbbb-0000-0000-0000-000000000000");
    private static readonly Guid NodeC = Guid.Parse("cccccccc-0000-0000-0000-000000000000");

    private static HybridTimestamp At(long ticks, Guid node) => new(ticks, node);

    private static RowState Inserted(HybridTimestamp at, params (string Name, string Json)[] values)
        => RowState.Empty("Items", "[7]").Insert(Values(values), at);

    private static KeyValuePair<string, string?>[] Values(params (string Name, string Json)[] values)
        => [.. values.Select(v => KeyValuePair.Create(v.Name, (string?)v.Json))];

    [Fact]
    public void Two_edits_of_a_column_made_over_the_same_value_conflict_and_the_later_one_wins_seen_from_either_side()
    {
        var row = Inserted(At(1, NodeA), ("Title", "\"milk\""), ("Done", "false"));
        var onA = row.Write(Values(("Title", "\"oat milk\"")), At(2, NodeA));
        var onB = row.Write(Values(("Title", "\"soy milk\"")), At(3, NodeB));

        var seenOnA = Assert.Single(RowConflicts.Between(onA, onB)!);
        var seenOnB = Assert.Single(RowConflicts.Between(onB, onA)!);

        Assert.Equal(seenOnA, seenOnB);
        Assert.Equal("Title", seenOnA.Column);
        Assert.Equal(("\"soy milk\"", At(3, NodeB)), (seenOnA.Winner!.Value.Json, seenOnA.Winner.Value.Clock));
        Assert.Equal(("\"oat milk\"", At(2, NodeA)), (seenOnA.Loser.Json, seenOnA.Loser.Clock));
    }

    [Fact]
    public void An_edit_made_over_the_value_it_replaces_is_a_later_edit_not_a_conflict()
    {
        var row = Inserted(At(1, NodeA), ("Title", "\"milk\""));
        var onA = row.Write(Values(("Title", "\"oat milk\"")), At(2, NodeA));
        var onB = onA.Write(Values(("Title", "\"soy milk\"")), At(3, NodeB)); // B had A's edit

        Assert.Null(RowConflicts.Between(onA, onB));
        Assert.Null(RowConflicts.Between(onB, onA));
    }

    [Fact]
    public void Two_inserts_of_the_same_key_with_different_values_conflict_where_they_differ()
    {
        var onA = Inserted(At(1, NodeA), ("Title", "\"milk\""), ("Done", "false"));
        var onB = Inserted(At(2, NodeB), ("Title", "\"bread\""), ("Done", "false"));

        var conflict = Assert.Single(RowConflicts.Between(onA, onB)!);

        Assert.Equal(("Title", "\"bread\"", "\"milk\""), (conflict.Column, conflict.Winner!.Value.Json, conflict.Loser.Json));
    }

    [Fact]
    public void Edits_of_different_columns_and_edits_to_the_same_value_are_no_conflict()
    {
        var row = Inserted(At(1, NodeA), ("Title", "\"milk\""), ("Done", "false"));
        var onA = row.Write(Values(("Title", "\"oat milk\"")), At(2, NodeA));
        var onB = row.Write(Values(("Done", "true")), At(3, NodeB));
        var same = row.Write(Values(("Title", "\"oat milk\"")), At(4, NodeC));

        Assert.Null(RowConflicts.Between(onA, onB));
        Assert.Null(RowConflicts.Between(onA, same));
    }

    [Fact]
    public void An_edit_a_delete_had_not_seen_lost_to_it_where_the_deleted_state_lacks_the_edit_seen_from_either_side()
    {
        var row = Inserted(At(1, NodeA), ("Title", "\"milk\""), ("Done", "false"));
        var edited = row.Write(Values(("Title", "\"oat milk\"")), At(3, NodeB));
        var deleted = row.Delete();

        var seenWhereDeleted = Assert.Single(RowConflicts.Between(deleted, edited)!);
        var seenWhereEdited = Assert.Single(RowConflicts.Between(edited, deleted)!);

        Assert.Equal(seenWhereDeleted, seenWhereEdited);
        Assert.Equal(seenWhereDeleted, Assert.Single(RowConflicts.Between(deleted, RowDelta.LatestWrite(edited))!)); // the edit alone, as a delta brings it
        Assert.Null(seenWhereDeleted.Winner);
        Assert.Equal(("Title", "\"oat milk\"", At(3, NodeB)), (seenWhereDeleted.Column, seenWhereDeleted.Loser.Json, seenWhereDeleted.Loser.Clock));
        Assert.False(RowMerge.Merge(deleted, edited).IsAlive);
    }

    [Fact]
    public void A_delete_made_over_an_edit_a_deleted_state_holding_the_edit_or_a_new_insert_is_no_loss_to_a_delete()
    {
        var row = Inserted(At(1, NodeA), ("Title", "\"milk\""));
        var edited = row.Write(Values(("Title", "\"oat milk\"")), At(3, NodeB));
        var deletedAfterTheEdit = edited.Delete(); // the deleter had the edit
        var editMergedIntoTheDelete = RowMerge.Merge(row.Delete(), edited); // a replica that met both holds the edit in the deleted row
        var reinserted = row.Delete().Insert(Values(("Title", "\"bread\"")), At(4, NodeC)); // a new add tag: the row lives on

        Assert.Null(RowConflicts.Between(edited, deletedAfterTheEdit));
        Assert.Null(RowConflicts.Between(edited, editMergedIntoTheDelete));
        Assert.DoesNotContain(RowConflicts.Between(edited, reinserted) ?? [], c => c.Winner is null);
    }

    [Fact]
    public void A_writer_that_saw_a_later_value_than_the_loser_did_not_make_the_conflict()
    {
        // C replaced B's value, which had replaced the insert's: A's edit, concurrent with B's, lost where B's and A's met.
        var row = Inserted(At(1, NodeA), ("Title", "\"milk\""));
        var onA = row.Write(Values(("Title", "\"oat milk\"")), At(2, NodeA));
        var onB = row.Write(Values(("Title", "\"soy milk\"")), At(3, NodeB));
        var onC = onB.Write(Values(("Title", "\"rice milk\"")), At(4, NodeC));

        Assert.Null(RowConflicts.Between(onA, onC));
        Assert.Single(RowConflicts.Between(onA, onB)!);
    }

    [Fact]
    public void The_prior_travels_with_its_register_through_any_merge_order_so_every_replica_decides_alike()
    {
        // Any three replicas editing one column from a shared row: whichever pair meets, the same pairs conflict.
        Gen.Select(Gen.Long[2, 9], Gen.Long[2, 9], Gen.Long[2, 9], Gen.Bool).Sample((ta, tb, tc, chain) =>
        {
            var row = Inserted(At(1, NodeA), ("Title", "0"));
            var onA = row.Write(Values(("Title", "1")), At(ta, NodeA));
            var onB = (chain ? onA : row).Write(Values(("Title", "2")), At(tb + (chain ? ta : 0), NodeB));
            var onC = row.Write(Values(("Title", "3")), At(tc, NodeC));

            foreach (var (x, y) in new[] { (onA, onB), (onB, onC), (onA, onC) })
            {
                var one = RowConflicts.Between(x, y);
                var other = RowConflicts.Between(y, x);
                Assert.Equal(one is null, other is null);
                Assert.Equal(one?.Single(), other?.Single());
                Assert.Equal(RowMerge.Merge(x, y).Columns["Title"], one?.Single().Winner ?? RowMerge.Merge(x, y).Columns["Title"]);
            }

            Assert.Equal(!chain, RowConflicts.Between(onA, onB) is not null);
            Assert.NotNull(RowConflicts.Between(onA, onC));

            // Where A's and B's result meets C: a conflict unless B, having seen A's value (newer than C's), won.
            var bWins = RowMerge.Merge(onB, onC).Columns["Title"].Clock.Node == NodeB;
            var expected = !chain || !bWins || At(ta, NodeA) < At(tc, NodeC);
            Assert.Equal(expected, RowConflicts.Between(RowMerge.Merge(onA, onB), onC) is not null);
        });
    }
}
