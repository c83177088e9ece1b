using Microsoft.EntityFrameworkCore.Migrations;

using Liblim.EfCore.Projection;

namespace Liblim.EfCore.Tests.Projection;

/// <summary>The order of data writes: never a statement that breaks a foreign key or a unique index.</summary>
public class WritePlanTests
{
    private static DataRef Ref(string table, string key, ReferentialAction onDelete = ReferentialAction.Cascade) => new(table, key, onDelete);

    private static List<string> Order(IReadOnlyList<DataOp> ops, bool deferred = false)
    {
        var plan = WritePlan.Order(ops, deferred);
        Assert.Empty(plan.Reseat);
        return [.. plan.Steps.Select(s => (s.Combined ? "combined " : "") + string.Join(" + ", s.Ops.Select(o => $"{o.Kind} {o.Key}")))];
    }

    [Fact]
    public void Parents_are_inserted_before_their_children_and_deleted_after_them()
    {
        var ops = new List<DataOp>
        {
            new(DataOpKind.Insert, "Todos", "t") { After = [Ref("Lists", "l")] },
            new(DataOpKind.Insert, "Lists", "l"),
            new(DataOpKind.Delete, "Lists", "old"),
            new(DataOpKind.Delete, "Todos", "u") { Before = [Ref("Lists", "old", ReferentialAction.Restrict)] },
        };

        Assert.Equal(["Delete u", "Insert l", "Delete old", "Insert t"], Order(ops));
    }

    [Fact]
    public void Rows_of_one_table_are_inserted_by_one_statement_parents_first()
    {
        var ops = new List<DataOp>
        {
            new(DataOpKind.Insert, "C", "c") { After = [Ref("C", "b")] },
            new(DataOpKind.Insert, "C", "b") { After = [Ref("C", "a")] },
            new(DataOpKind.Insert, "C", "a"),
        };

        Assert.Equal(["Insert a + Insert b + Insert c"], Order(ops));
    }

    [Fact]
    public void A_unique_value_is_given_up_before_another_row_takes_it()
    {
        var ops = new List<DataOp>
        {
            new(DataOpKind.Insert, "Users", "new") { UniqueAfter = ["ann"] },
            new(DataOpKind.Update, "Users", "old") { UniqueBefore = ["ann"], UniqueAfter = ["anna"] },
        };

        Assert.Equal(["Update old", "Insert new"], Order(ops));
    }

    [Fact]
    public void Updates_that_exchange_unique_values_are_named_for_re_seating()
    {
        var x = new DataOp(DataOpKind.Update, "Users", "x") { UniqueBefore = ["ann"], UniqueAfter = ["bob"] };
        var y = new DataOp(DataOpKind.Update, "Users", "y") { UniqueBefore = ["bob"], UniqueAfter = ["ann"] };

        var plan = WritePlan.Order([x, y], deferredForeignKeys: false);

        Assert.Equal([x, y], plan.Reseat.OrderBy(o => o.Key));
        Assert.Empty(plan.Steps);
    }

    [Fact]
    public void An_update_in_a_cycle_through_a_unique_value_is_named_for_re_seating_even_when_it_takes_no_value()
    {
        // The old owner leaves, giving up a name a new user takes; a list moves from the old owner to the new user.
        var leaving = new DataOp(DataOpKind.Delete, "Users", "old") { UniqueBefore = ["ann"] };
        var arriving = new DataOp(DataOpKind.Insert, "Users", "new") { UniqueAfter = ["ann"] };
        var moving = new DataOp(DataOpKind.Update, "Lists", "l") { Before = [Ref("Users", "old")], After = [Ref("Users", "new")] };

        var plan = WritePlan.Order([leaving, arriving, moving], deferredForeignKeys: false);

        Assert.Equal([moving], plan.Reseat);
    }

    [Fact]
    public void A_re_seated_row_leaves_before_it_returns_and_the_exchange_then_orders()
    {
        var ops = new List<DataOp>
        {
            new(DataOpKind.Delete, "Users", "x") { UniqueBefore = ["ann"] },
            new(DataOpKind.Update, "Users", "y") { UniqueBefore = ["bob"], UniqueAfter = ["ann"] },
            new(DataOpKind.Insert, "Users", "x") { UniqueAfter = ["bob"] },
        };

        Assert.Equal(["Delete x", "Update y", "Insert x"], Order(ops));
    }

    [Fact]
    public void A_cycle_of_references_across_tables_is_one_combined_step_where_checks_are_not_deferred()
    {
        var ops = new List<DataOp>
        {
            new(DataOpKind.Insert, "A", "a") { After = [Ref("B", "b")] },
            new(DataOpKind.Insert, "B", "b") { After = [Ref("A", "a")] },
        };

        var step = Assert.Single(WritePlan.Order(ops, deferredForeignKeys: false).Steps);
        Assert.True(step.Combined);
        Assert.Equal(["a", "b"], step.Ops.Select(o => o.Key).Order());
    }

    [Fact]
    public void Where_checks_are_deferred_only_restrict_and_cascade_still_order_deletes()
    {
        var ops = new List<DataOp>
        {
            new(DataOpKind.Insert, "Todos", "t") { After = [Ref("Lists", "l")] },
            new(DataOpKind.Insert, "Lists", "l"),
            new(DataOpKind.Delete, "Lists", "p"),
            new(DataOpKind.Delete, "Notes", "n") { Before = [Ref("Lists", "p", ReferentialAction.NoAction)] },
            new(DataOpKind.Delete, "Lists", "q"),
            new(DataOpKind.Delete, "Todos", "u") { Before = [Ref("Lists", "q", ReferentialAction.Cascade)] },
        };

        var steps = Order(ops, deferred: true);

        // The cascade orders u before q; NO ACTION and the inserts' references order nothing.
        Assert.Equal("Delete q", steps[^1]);
        Assert.Equal(6, steps.Count); // five at the first level (by kind and table), then q
    }

    [Fact]
    public void A_row_that_stays_drops_its_reference_before_the_referenced_row_leaves()
    {
        var ops = new List<DataOp>
        {
            new(DataOpKind.Delete, "Lists", "l"),
            new(DataOpKind.Update, "Notes", "n") { Before = [Ref("Lists", "l", ReferentialAction.SetNull)] },
        };

        Assert.Equal(["Update n", "Delete l"], Order(ops));
    }
}
