using CsCheck;
using Liblim.EfCore.Storage.Internal;
using Liblim.EfCore.Tests.Crdt;

namespace Liblim.EfCore.Tests.Storage;

/// <summary>
/// The metadata a shown row keeps in its own table comes back from its stored form exactly as it was; the common rows
/// take few bytes; damaged text is refused.
/// </summary>
public class InRowClocksTests
{
    private static readonly Guid NodeA = Guid.Parse("aaaaaaaa-0000-0000-0000-000000000000");
    private static readonly Guid NodeB = Guid.Parse("bbbbbbbb-0000-0000-0000-000000000000");
    private static readonly Guid NodeC = Guid.Parse("cccccccc-0000-0000-0000-000000000000");
    private static readonly HybridTimestamp T1 = new(HybridTimestamp.Pack(1_700_000_000_000, 0), NodeA);
    private static readonly HybridTimestamp Later = new(HybridTimestamp.Pack(1_700_000_005_000, 3), NodeA);
    private static readonly HybridTimestamp Earlier = new(HybridTimestamp.Pack(1_699_999_000_000, 1), NodeB);
    private static readonly HybridTimestamp Other = new(HybridTimestamp.Pack(1_700_000_000_002, 0), NodeC);

    [Fact]
    public void A_fresh_insert_is_its_base_clock_alone()
    {
        var row = new ShadowRow("Items", "[1]", 7, T1.ToString(), null, T1.ToString(), null, null);
        var nodes = Numbered(row);

        var stored = InRowClocks.Compact(row, nodes);

        Assert.Equal("18bcfe568000000.1", stored);
        Assert.Equal(row, InRowClocks.Expand("Items", "[1]", 7, stored, nodes));
        Assert.Equal([1], InRowClocks.NumbersOf(stored));
    }

    [Fact]
    public void A_column_written_later_by_the_same_node_over_the_base_clock_takes_its_name_and_a_short_delta()
    {
        var row = new ShadowRow("Items", "[1]", 8, T1.ToString(), $"{{\"Title\":\"{Later}/{T1}\"}}", T1.ToString(), null, null);
        var nodes = Numbered(row);

        var stored = InRowClocks.Compact(row, nodes);

        Assert.Equal("18bcfe568000000.1;cTitle:+13880003", stored); // the register it replaced is the base clock: not written
        Assert.Equal(row, InRowClocks.Expand("Items", "[1]", 8, stored, nodes));
    }

    [Fact]
    public void A_register_over_none_over_another_clock_and_the_base_prior_each_take_a_short_form_and_read_back()
    {
        var row = new ShadowRow("Items", "[1]", 8, Later.ToString(),
            $"{{\"\":\"{T1}\",\"Done\":\"{T1}\",\"Notes\":\"{Later}/\",\"Title\":\"{Later}/{T1}\",\"Zone\":\"{T1}/{Earlier}\"}}", T1.ToString(), null, null);
        var nodes = Numbered(row);

        var stored = InRowClocks.Compact(row, nodes);

        // The base prior after "", a register at the base clock over none ("/"), one over its own prior, one over the base clock.
        Assert.Equal("18bcfe57b880003.1;a18bcfe568000000.1;c\"\":-13880003,Done:-13880003/,Notes:+0/,Title:+0/-13880003,Zone:-13880003/-f55c80002.2", stored);
        Assert.Equal(row, InRowClocks.Expand("Items", "[1]", 8, stored, nodes));
    }

    [Fact]
    public void The_position_before_a_local_update_is_kept_as_its_distance_while_the_row_is_still_at_that_update()
    {
        var row = new ShadowRow("Items", "[1]", 300, T1.ToString(), null, T1.ToString(), null, null) { Update = new RowUpdate(300, 44) };
        var merged = row with { Update = new RowUpdate(300, 44, NodeC.ToString("N")) };
        var nodes = Numbered(merged);

        var stored = InRowClocks.Compact(row, nodes);
        var storedMerge = InRowClocks.Compact(merged, nodes);
        var moved = InRowClocks.Compact(row with { Seq = 301 }, nodes); // changed since by something else: it no longer says

        Assert.EndsWith(";p100", stored);
        Assert.Equal(new RowUpdate(300, 44), InRowClocks.Expand("Items", "[1]", 300, stored, nodes).LatestUpdate);
        Assert.EndsWith($";p100.{nodes.NumberOf(NodeC.ToString("N"))}", storedMerge);
        Assert.Equal(merged.Update, InRowClocks.Expand("Items", "[1]", 300, storedMerge, nodes).LatestUpdate);
        Assert.Contains(nodes.NumberOf(NodeC.ToString("N")), InRowClocks.NumbersOf(storedMerge));
        Assert.DoesNotContain(";p", moved);
    }

    [Fact]
    public void Every_part_and_any_column_name_comes_back_the_same()
    {
        var names = new[] { "plain", "with:colon", "with,comma", "with;semicolon", "with\"quote", "with\\backslash", "ctrl\u0001", "Ünïcode ✓", "\"" };
        var clocks = ColumnClocksJson.Write(names.Select((n, i) => KeyValuePair.Create(n, (i % 3 == 0 ? Later : i % 3 == 1 ? Earlier : Other).ToString())));
        var row = new ShadowRow("Items", "[1]", 9, T1.ToString(), clocks, $"{T1},{Other}", Earlier.ToString(), null,
            Source: NodeC.ToString("N")) { Update = new RowUpdate(9, 4, NodeA.ToString("N")) };
        var nodes = Numbered(row);

        var stored = InRowClocks.Compact(row, nodes);

        Assert.Equal(row, InRowClocks.Expand("Items", "[1]", 9, stored, nodes));
        Assert.Equal(
            CompactShadowRow.NodesOf(row).Select(nodes.NumberOf).Distinct().Order(),
            InRowClocks.NumbersOf(stored).Distinct().Order());
    }

    [Fact]
    public void Every_live_state_comes_back_the_same_through_its_stored_form()
    {
        RowStateGen.Realistic.Where(s => s.IsAlive && s.MaxClock is not null).Sample(state =>
        {
            var row = RowStateCodec.Encode(CodecTable.T, state, 11) with { Source = state.AddTags.Min.Node.ToString("N") };
            Assert.True(InRowClocks.Fits(row));
            var nodes = Numbered(row);
            var stored = InRowClocks.Compact(row, nodes);
            Assert.Equal(row, InRowClocks.Expand(row.Table, row.Key, row.Seq, stored, nodes));
        });
    }

    [Fact]
    public void A_row_whose_registers_are_typed_is_stored_as_the_same_row_with_their_text_and_its_text_reads_back_as_them()
    {
        var listing = 0;
        RowStateGen.Realistic.Where(s => s.IsAlive && s.MaxClock is not null).Sample(state =>
        {
            var typed = RowStateCodec.Encode(CodecTable.T, state, 11);
            var text = typed with { ColumnClocks = typed.ColumnClocks }; // the same registers, as text only
            Assert.Null(text.Registers);
            var nodes = Numbered(typed);

            Assert.Equal(InRowClocks.Compact(text, nodes), InRowClocks.Compact(typed, nodes));
            if (typed.Registers is { } registers)
            {
                Assert.True(RegisterClocks.Parse(text.ColumnClocks!).SameAs(registers));
                Interlocked.Increment(ref listing);
            }
        });
        Assert.True(listing > 0, "no sampled state listed a register");
    }

    [Fact]
    public void Only_live_rows_shown_as_they_are_with_nothing_kept_aside_fit_in_their_row()
    {
        var row = new ShadowRow("Items", "[1]", 1, T1.ToString(), null, T1.ToString(), null, null);

        Assert.True(InRowClocks.Fits(row));
        Assert.False(InRowClocks.Fits(row with { AddTags = null, Tombstones = T1.ToString() }));
        Assert.False(InRowClocks.Fits(row with { KeptValues = "{\"a\":1}" }));
        Assert.False(InRowClocks.Fits(row with { Held = "{\"k\":1}", Awaiting = "P/[1]" }));
    }

    [Theory]
    [InlineData("")]
    [InlineData("18bcfe568000000.1;")]
    [InlineData("18bcfe568000000.1;x1")]
    [InlineData("18bcfe568000000.1;s0")]
    [InlineData("18bcfe568000000.1;sx")]
    [InlineData("18bcfe568000000.1;p0")]
    [InlineData("18bcfe568000000.1;p2")]
    [InlineData("18bcfe568000000.1;pz")]
    [InlineData("18bcfe568000000.1;p1.")]
    [InlineData("18bcfe568000000.1;p1.0")]
    [InlineData("18bcfe568000000.1;cTitle")]
    [InlineData("18bcfe568000000.1;cTitle:13")]
    [InlineData("18bcfe568000000.1;cTitle:+")]
    [InlineData("18bcfe568000000.1;cTitle:+zz")]
    [InlineData("18bcfe568000000.1;cTitle:+1.0")]
    [InlineData("18bcfe568000000.1;c\"unterminated:+1")]
    [InlineData("18bcfe568000000.1;c:+1")]
    [InlineData("not a clock")]
    public void Damaged_stored_clocks_are_refused(string stored)
    {
        var nodes = new NodeNumbers();
        nodes.Add(1, NodeA.ToString("N"));

        Assert.Throws<FormatException>(() => InRowClocks.Expand("Items", "[1]", 1, stored, nodes));
    }

    /// <summary>Numbers the nodes a row names, in order of first appearance.</summary>
    private static NodeNumbers Numbered(ShadowRow row)
    {
        var nodes = new NodeNumbers();
        foreach (var node in CompactShadowRow.NodesOf(row).Distinct())
        {
            nodes.Add(nodes.Count + 1, node);
        }

        return nodes;
    }
}
