using Liblim.EfCore.Storage.Internal;

using Liblim.EfCore.Projection;

namespace Liblim.EfCore.Tests.Projection;

/// <summary>Which rows are shown, and why the others are held back: the projection rules without a database.</summary>
public class VisibilityGraphTests
{
    private static readonly Guid Node = Guid.Parse("aaaaaaaa-0000-0000-0000-000000000000");

    private static ClaimRank Rank(long ticks, string key, bool laterFirst = false)
        => new(false, new HybridTimestamp(ticks, Node), laterFirst, key);

    [Theory]
    [InlineData(false, false, false)]
    [InlineData(true, false, false)]
    [InlineData(true, true, false)]
    [InlineData(false, false, true)]
    [InlineData(true, true, true)]
    public void A_row_no_other_row_relates_to_gets_the_verdict_the_graph_gives_it_alone(bool exists, bool alive, bool pinned)
    {
        var g = new VisibilityGraph();
        g.AddFixed(RowStatus.Visible);
        var row = g.AddRow(exists, alive, pinned);

        var solved = g.Solve()[row];
        var unrelated = VisibilityGraph.Unrelated(exists, alive, pinned);

        Assert.Equal(solved.Status, unrelated.Status);
        Assert.Equal(solved.Hold, unrelated.Hold);
        Assert.Equal(solved.Projected, unrelated.Projected);
    }

    [Fact]
    public void A_row_whose_parent_is_alive_and_shown_is_shown()
    {
        var g = new VisibilityGraph();
        var parent = g.AddRow(exists: true, alive: true);
        var child = g.AddRow(exists: true, alive: true);
        g.AddReference(child, parent, 0, holds: true);

        var v = g.Solve();

        Assert.Equal(RowStatus.Visible, v[parent].Status);
        Assert.Equal(RowStatus.Visible, v[child].Status);
        Assert.Null(v[child].Hold);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    public void A_row_whose_parent_is_not_alive_all_the_way_up_is_held_back_naming_the_parent(int status, int expected)
    {
        // Missing -> MissingParent, Dead -> DeletedParent, alive but held for a missing ancestor -> ParentHeldBack.
        var parentStatus = (RowStatus)status;
        var kind = (HoldKind)expected;
        var g = new VisibilityGraph();
        var parent = g.AddFixed(parentStatus);
        var child = g.AddRow(exists: true, alive: true);
        g.AddReference(child, parent, 0, holds: true);

        var v = g.Solve()[child];

        Assert.Equal(RowStatus.Ineligible, v.Status);
        Assert.Equal(new HoldVerdict(kind, parent, null, Eligible: false), v.Hold);
    }

    [Fact]
    public void Holding_passes_down_a_chain_and_each_row_names_its_own_parent()
    {
        var g = new VisibilityGraph();
        var missing = g.AddFixed(RowStatus.Missing);
        var a = g.AddRow(true, true);
        var b = g.AddRow(true, true);
        var c = g.AddRow(true, true);
        g.AddReference(a, missing, 0, true);
        g.AddReference(b, a, 0, true);
        g.AddReference(c, b, 0, true);

        var v = g.Solve();

        Assert.Equal(HoldKind.MissingParent, v[a].Hold!.Kind);
        Assert.Equal((HoldKind.ParentHeldBack, a), (v[b].Hold!.Kind, v[b].Hold!.Related));
        Assert.Equal((HoldKind.ParentHeldBack, b), (v[c].Hold!.Kind, v[c].Hold!.Related));
    }

    [Fact]
    public void A_cycle_of_live_rows_is_shown_and_a_cycle_hanging_from_a_deleted_row_is_not()
    {
        var g = new VisibilityGraph();
        var x = g.AddRow(true, true);
        var y = g.AddRow(true, true);
        g.AddReference(x, y, 0, true);
        g.AddReference(y, x, 0, true);
        var self = g.AddRow(true, true);
        g.AddReference(self, self, 0, true);
        var dead = g.AddRow(exists: true, alive: false);
        var p = g.AddRow(true, true);
        var q = g.AddRow(true, true);
        g.AddReference(p, q, 0, true);
        g.AddReference(q, p, 0, true);
        g.AddReference(q, dead, 1, true);

        var v = g.Solve();

        Assert.Equal(RowStatus.Visible, v[x].Status);
        Assert.Equal(RowStatus.Visible, v[y].Status);
        Assert.Equal(RowStatus.Visible, v[self].Status);
        Assert.Equal(RowStatus.Dead, v[dead].Status);
        Assert.Equal(RowStatus.Ineligible, v[p].Status);
        Assert.Equal(HoldKind.DeletedParent, v[q].Hold!.Kind);
        Assert.Equal((HoldKind.ParentHeldBack, q), (v[p].Hold!.Kind, v[p].Hold!.Related));
    }

    [Fact]
    public void The_best_claim_keeps_a_unique_value_and_the_others_name_it()
    {
        var g = new VisibilityGraph();
        var early = g.AddRow(true, true);
        var late = g.AddRow(true, true);
        g.AddClaim(late, "Users\nIX\n[\"ann\"]", 0, Rank(2, "[2]"));
        g.AddClaim(early, "Users\nIX\n[\"ann\"]", 0, Rank(1, "[1]"));

        var v = g.Solve();

        Assert.Equal(RowStatus.Visible, v[early].Status);
        Assert.Equal(RowStatus.Eligible, v[late].Status);
        Assert.Equal(new HoldVerdict(HoldKind.UniqueConflict, early, 0, Eligible: true), v[late].Hold);
    }

    [Fact]
    public void Later_first_ranks_keep_the_latest_and_equal_clocks_fall_back_to_the_key()
    {
        Assert.True(Rank(2, "[9]", laterFirst: true).CompareTo(Rank(1, "[1]", laterFirst: true)) < 0);
        Assert.True(Rank(1, "[1]").CompareTo(Rank(1, "[2]")) < 0);
        Assert.True(new ClaimRank(true, default, false, "[9]").CompareTo(Rank(0, "[0]")) < 0);
    }

    [Fact]
    public void A_row_that_is_not_alive_all_the_way_up_does_not_compete_for_a_unique_value()
    {
        var g = new VisibilityGraph();
        var orphan = g.AddRow(true, true);
        g.AddReference(orphan, g.AddFixed(RowStatus.Missing), 0, true);
        var other = g.AddRow(true, true);
        g.AddClaim(orphan, "g", 0, Rank(1, "[1]"));
        g.AddClaim(other, "g", 0, Rank(2, "[2]"));

        var v = g.Solve();

        Assert.Equal(RowStatus.Visible, v[other].Status);
        Assert.Equal(HoldKind.MissingParent, v[orphan].Hold!.Kind);
    }

    [Fact]
    public void A_row_keeping_its_value_under_a_parent_that_lost_one_is_held_back_but_still_keeps_the_value()
    {
        var g = new VisibilityGraph();
        var winner = g.AddRow(true, true);
        var loser = g.AddRow(true, true);
        g.AddClaim(winner, "name", 0, Rank(1, "[1]"));
        g.AddClaim(loser, "name", 0, Rank(2, "[2]"));
        var child = g.AddRow(true, true);
        g.AddReference(child, loser, 0, true);
        g.AddClaim(child, "code", 0, Rank(5, "[5]"));
        var rival = g.AddRow(true, true);
        g.AddClaim(rival, "code", 0, Rank(6, "[6]"));

        var v = g.Solve();

        Assert.Equal(new HoldVerdict(HoldKind.ParentHeldBack, loser, null, Eligible: true), v[child].Hold);
        Assert.Equal(RowStatus.Eligible, v[child].Status);
        Assert.Equal(new HoldVerdict(HoldKind.UniqueConflict, child, 0, Eligible: true), v[rival].Hold);
    }

    [Fact]
    public void A_non_holding_reference_to_a_row_that_is_not_shown_is_projected()
    {
        var g = new VisibilityGraph();
        var gone = g.AddFixed(RowStatus.Dead);
        var shown = g.AddRow(true, true);
        var note = g.AddRow(true, true);
        g.AddReference(note, shown, 0, holds: false);
        g.AddReference(note, gone, 1, holds: false);

        var v = g.Solve()[note];

        Assert.Equal(RowStatus.Visible, v.Status);
        Assert.Equal([1], v.Projected);
        Assert.Equal(new HoldVerdict(HoldKind.Projected, gone, null, Eligible: false), v.Hold);
    }

    [Fact]
    public void A_pinned_row_is_shown_whatever_and_keeps_its_unique_value()
    {
        var g = new VisibilityGraph();
        var pinned = g.AddRow(exists: false, alive: false, pinned: true);
        g.AddReference(pinned, g.AddFixed(RowStatus.Missing), 0, true);
        g.AddClaim(pinned, "g", 0, new ClaimRank(true, default, false, "[1]"));
        var other = g.AddRow(true, true);
        g.AddClaim(other, "g", 0, Rank(0, "[0]"));

        var v = g.Solve();

        Assert.Equal(RowStatus.Visible, v[pinned].Status);
        Assert.Equal(HoldKind.UniqueConflict, v[other].Hold!.Kind);
    }

    [Fact]
    public void The_order_rows_are_added_in_does_not_change_the_verdicts()
    {
        // A small random graph built in two orders: the same statuses and holds (by row).
        var random = new Random(7);
        for (var round = 0; round < 200; round++)
        {
            var n = random.Next(2, 8);
            var alive = Enumerable.Range(0, n).Select(_ => random.Next(4) > 0).ToArray();
            var links = Enumerable.Range(0, random.Next(n * 2)).Select(_ => (From: random.Next(n), To: random.Next(n), Holds: random.Next(3) > 0)).ToList();
            var claims = Enumerable.Range(0, n).Select(i => random.Next(3) == 0 ? null : $"v{random.Next(2)}").ToArray();
            string Verdicts(int[] order)
            {
                var g = new VisibilityGraph();
                var node = new int[n];
                foreach (var i in order)
                {
                    node[i] = g.AddRow(true, alive[i]);
                }

                foreach (var (from, to, holds) in links)
                {
                    g.AddReference(node[from], node[to], links.IndexOf((from, to, holds)), holds);
                }

                foreach (var i in order.Where(i => claims[i] is not null))
                {
                    g.AddClaim(node[i], claims[i]!, 0, Rank(i % 3, $"[{i}]"));
                }

                var v = g.Solve();
                return string.Join(";", Enumerable.Range(0, n).Select(i => $"{v[node[i]].Status}/{v[node[i]].Hold?.Kind}/{(v[node[i]].Hold is { } h ? Array.IndexOf(node, h.Related) : -1)}"));
            }

            var forward = Enumerable.Range(0, n).ToArray();
            Assert.Equal(Verdicts(forward), Verdicts([.. forward.Reverse()]));
        }
    }
}
