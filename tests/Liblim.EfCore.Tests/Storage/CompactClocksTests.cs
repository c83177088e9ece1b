using CsCheck;
using Liblim.EfCore.Storage.Internal;

namespace Liblim.EfCore.Tests.Storage;

/// <summary>Stored timestamps name their node by its local number; a tag set that is the row's clock is one character.</summary>
public class CompactClocksTests
{
    private static readonly Guid NodeA = Guid.Parse("aaaaaaaa-0000-0000-0000-000000000000");
    private static readonly Guid NodeB = Guid.Parse("bbbbbbbb-0000-0000-0000-00000000000b");
    private static readonly HybridTimestamp T1 = new(HybridTimestamp.Pack(1_700_000_000_000, 0), NodeA);
    private static readonly HybridTimestamp T2 = new(HybridTimestamp.Pack(1_700_000_000_001, 5), NodeB);

    private static NodeNumbers Nodes()
    {
        var nodes = new NodeNumbers();
        nodes.Add(1, NodeA.ToString("N"));
        nodes.Add(12, NodeB.ToString("N"));
        return nodes;
    }

    [Fact]
    public void A_timestamp_is_stored_as_hex_ticks_and_its_node_number()
    {
        Assert.Equal("18bcfe568000000.1", CompactClocks.Timestamp(T1.ToString(), Nodes()));
        Assert.Equal("0.12", CompactClocks.Timestamp(new HybridTimestamp(0, NodeB).ToString(), Nodes()));
        Assert.Equal("7fffffffffffffff.1", CompactClocks.Timestamp(new HybridTimestamp(long.MaxValue, NodeA).ToString(), Nodes()));
    }

    [Fact]
    public void Timestamps_come_back_the_same()
    {
        // One numbering per sample: samples run on several threads, and a database's numbering belongs to one session.
        Gen.Select(Gen.Long[0, long.MaxValue], Gen.Guid, Gen.Int[1, 100_000], (t, n, number) => (Timestamp: new HybridTimestamp(t, n), Number: number)).Sample(s =>
        {
            var nodes = new NodeNumbers();
            nodes.Add(s.Number, s.Timestamp.Node.ToString("N"));

            var stored = CompactClocks.Timestamp(s.Timestamp.ToString(), nodes);
            Assert.Equal(s.Timestamp.ToString(), CompactClocks.FullTimestamp(stored, nodes));
        });
    }

    [Fact]
    public void Tags_that_are_exactly_the_clock_are_stored_as_the_marker()
    {
        var clock = T1.ToString();

        Assert.Equal(CompactClocks.SameAsClock, CompactClocks.Tags(clock, clock, Nodes()));
        Assert.Equal(clock, CompactClocks.FullTags(CompactClocks.SameAsClock, clock, Nodes()));
    }

    [Fact]
    public void Other_tags_are_a_list_of_stored_timestamps_and_null_stays_null()
    {
        var tags = $"{T1},{T2}";

        var stored = CompactClocks.Tags(tags, T1.ToString(), Nodes());

        Assert.Equal("18bcfe568000000.1,18bcfe568010005.12", stored);
        Assert.Equal(tags, CompactClocks.FullTags(stored, T1.ToString(), Nodes()));
        Assert.Equal(T2.ToString(), CompactClocks.FullTags(CompactClocks.Tags(T2.ToString(), T1.ToString(), Nodes()), T1.ToString(), Nodes()));
        Assert.Null(CompactClocks.Tags(null, T1.ToString(), Nodes()));
        Assert.Null(CompactClocks.FullTags(null, T1.ToString(), Nodes()));
    }

    [Fact]
    public void Column_clocks_keep_their_names_and_order()
    {
        var json = $"{{\"b\":\"{T2}\",\"a \\\"quoted\\\" é\":\"{T1}\"}}";

        var stored = CompactClocks.ColumnClocks(json, Nodes());

        Assert.Equal("{\"b\":\"18bcfe568010005.12\",\"a \\\"quoted\\\" é\":\"18bcfe568000000.1\"}", stored);
        Assert.Equal(json, CompactClocks.FullColumnClocks(stored, Nodes()));
        Assert.Null(CompactClocks.ColumnClocks(null, Nodes()));
    }

    [Fact]
    public void The_nodes_and_numbers_a_row_names_are_listed()
    {
        Assert.Equal([NodeA.ToString("N"), NodeB.ToString("N"), NodeA.ToString("N")],
            CompactClocks.NodesOf($"{T1},{T2}", $"{{\"c\":\"{T1}\"}}"));
        Assert.Equal([1, 12], CompactClocks.NumbersOf("0.1", "{\"c\":\"5.12\"}"));
        Assert.Empty(CompactClocks.NumbersOf(CompactClocks.SameAsClock));
    }

    [Theory]
    [InlineData("")]
    [InlineData("1")]
    [InlineData("1.")]
    [InlineData(".1")]
    [InlineData("01.1")]
    [InlineData("1A.1")]
    [InlineData("1.01")]
    [InlineData("1.0x")]
    [InlineData("10000000000000000.1")]
    [InlineData("1.99999999999")]
    public void A_damaged_stored_timestamp_is_refused(string stored)
        => Assert.Throws<FormatException>(() => CompactClocks.FullTimestamp(stored, Nodes()));

    [Fact]
    public void A_number_no_node_has_is_refused()
        => Assert.Throws<FormatException>(() => CompactClocks.FullTimestamp("1.2", Nodes()));

    [Fact]
    public void Malformed_clocks_are_refused_and_unnumbered_nodes_are_not_stored()
    {
        Assert.Throws<FormatException>(() => CompactClocks.Timestamp("not a timestamp", Nodes()));
        Assert.Throws<FormatException>(() => CompactClocks.ColumnClocks("[1]", Nodes()));
        Assert.Throws<FormatException>(() => CompactClocks.ColumnClocks("{\"a\":1}", Nodes()));
        Assert.Throws<FormatException>(() => CompactClocks.FullColumnClocks("{\"a\":", Nodes()));
        Assert.Throws<InvalidOperationException>(() => CompactClocks.Timestamp(new HybridTimestamp(1, Guid.NewGuid()).ToString(), Nodes()));
    }

    [Fact]
    public void A_node_keeps_its_one_number()
    {
        var nodes = Nodes();

        nodes.Add(1, NodeA.ToString("N"));

        Assert.Throws<InvalidOperationException>(() => nodes.Add(2, NodeA.ToString("N")));
        Assert.Throws<InvalidOperationException>(() => nodes.Add(1, NodeB.ToString("N")));
    }
}
