using CsCheck;
using Liblim.EfCore.Storage.Internal;
using Liblim.EfCore.Tests.Crdt;

namespace Liblim.EfCore.Tests.Storage;

/// <summary>A metadata row comes back from its stored form exactly as it was, whichever nodes it names.</summary>
public class CompactShadowRowTests
{
    private static readonly Guid NodeA = Guid.Parse("aaaaaaaa-0000-0000-0000-000000000000");
    private static readonly Guid NodeB = Guid.Parse("bbbbbbbb-0000-0000-0000-000000000000");
    private static readonly Guid NodeC = Guid.Parse("cccccccc-0000-0000-0000-000000000000");
    private static readonly HybridTimestamp T1 = new(HybridTimestamp.Pack(1_700_000_000_000, 0), NodeA);
    private static readonly HybridTimestamp T2 = new(HybridTimestamp.Pack(1_700_000_000_001, 0), NodeB);
    private static readonly HybridTimestamp T3 = new(HybridTimestamp.Pack(1_700_000_000_002, 0), NodeC);

    [Fact]
    public void A_fresh_insert_is_stored_with_a_guid_key_one_short_clock_and_the_tag_marker()
    {
        var key = $"[\"{Guid.NewGuid()}\"]";
        var row = new ShadowRow("Items", key, 7, T1.ToString(), null, T1.ToString(), null, null);
        var nodes = Numbered(row);

        var stored = CompactShadowRow.Compact(row, nodes);

        Assert.Equal(17, stored.RowKey.Length);
        Assert.Equal("18bcfe568000000.1", stored.Clock);
        Assert.Equal(CompactClocks.SameAsClock, stored.AddTags);
        Assert.Null(stored.Tombstones);
        Assert.Null(stored.Source);
        Assert.Equal(row, CompactShadowRow.Expand(stored, nodes));
    }

    [Fact]
    public void A_row_naming_three_nodes_and_a_source_comes_back_the_same()
    {
        var row = new ShadowRow("Items", "[1,\"x\"]", 9, T1.ToString(), $"{{\"b\":\"{T2}\",\"c\":\"{T3}\"}}", $"{T1},{T3}", T2.ToString(),
            "{\"b\":\"y\"}", Source: NodeC.ToString("N"), Held: "{\"parent\":\"P\"}", Awaiting: "P/[1]");
        var nodes = Numbered(row);

        var stored = CompactShadowRow.Compact(row, nodes);

        Assert.Equal(3, nodes.Count);
        Assert.Equal(nodes.NumberOf(NodeC.ToString("N")), stored.Source);
        Assert.Equal(row.KeptValues, stored.KeptValues);
        Assert.Equal(row, CompactShadowRow.Expand(stored, nodes));
        Assert.Equal(
            CompactShadowRow.NodesOf(row).Select(nodes.NumberOf).Order(),
            CompactShadowRow.NumbersOf(stored).Order());
    }

    [Fact]
    public void Tombstones_that_are_the_clock_use_the_marker_and_dead_rows_keep_null_add_tags()
    {
        var row = new ShadowRow("Items", "[\"k\"]", 3, T2.ToString(), null, null, T2.ToString(), "{\"a\":1}");
        var nodes = Numbered(row);

        var stored = CompactShadowRow.Compact(row, nodes);

        Assert.Null(stored.AddTags);
        Assert.Equal(CompactClocks.SameAsClock, stored.Tombstones);
        Assert.Equal(row, CompactShadowRow.Expand(stored, nodes));
    }

    [Fact]
    public void Every_state_comes_back_the_same_through_its_stored_form()
    {
        RowStateGen.Realistic.Where(s => s.MaxClock is not null).Sample(state =>
        {
            var row = RowStateCodec.Encode(CodecTable.T, state, 11) with { Source = Guid.NewGuid().ToString("N") };
            var nodes = Numbered(row);
            Assert.Equal(row, CompactShadowRow.Expand(CompactShadowRow.Compact(row, nodes), nodes));
        });
    }

    [Fact]
    public void A_source_that_is_not_a_node_id_is_refused()
    {
        var row = new ShadowRow("Items", "[1]", 1, T1.ToString(), null, T1.ToString(), null, null, Source: NodeA.ToString("D"));

        Assert.Throws<FormatException>(() => CompactShadowRow.NodesOf(row).ToList());
    }

    [Fact]
    public void Only_the_nodes_not_numbered_yet_are_found_unnumbered()
    {
        var row = new ShadowRow("Items", "[1]", 9, T1.ToString(), $"{{\"b\":\"{T2}\",\"c\":\"{T3}\"}}", T1.ToString(), null, null, Source: NodeC.ToString("N"));
        var all = Numbered(row);
        var some = new NodeNumbers();
        some.Add(1, NodeA.ToString("N"));

        Assert.Null(CompactShadowRow.Unnumbered([row, row with { Key = "[2]" }], all));
        Assert.Equal(
            CompactShadowRow.NodesOf(row).Distinct().Where(n => n != NodeA.ToString("N")).Order(),
            CompactShadowRow.Unnumbered([row], some)!.Order());
        Assert.Equal([NodeC.ToString("N")], CompactShadowRow.Unnumbered([row with { ColumnClocks = $"{{\"c\":\"{T3}\"}}", Source = null }], some)!);
    }

    [Fact]
    public void A_malformed_clock_or_source_is_refused_when_looking_for_unnumbered_nodes()
    {
        var row = new ShadowRow("Items", "[1]", 1, T1.ToString(), null, T1.ToString(), null, null);
        var nodes = Numbered(row);

        Assert.Throws<FormatException>(() => CompactShadowRow.Unnumbered([row with { Source = NodeA.ToString("D") }], nodes));
        Assert.Throws<FormatException>(() => CompactShadowRow.Unnumbered([row with { AddTags = "not a tag" }], nodes));
        Assert.Throws<FormatException>(() => CompactShadowRow.Unnumbered([row with { ColumnClocks = "{\"a\":\"late\"}" }], nodes));
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
