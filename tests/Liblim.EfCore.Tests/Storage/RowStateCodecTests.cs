using System.Collections.Immutable;
using System.Text.Json;
using CsCheck;
using Liblim.EfCore.Crdt;
using Liblim.EfCore.Metadata.Internal;
using Liblim.EfCore.Storage.Internal;
using Liblim.EfCore.Tests.Crdt;

namespace Liblim.EfCore.Tests.Storage;

/// <summary>The metadata row of a state: one base clock, only later-written columns listed, values kept only when dead.</summary>
public class RowStateCodecTests
{
    private static readonly Guid NodeA = Guid.Parse("aaaaaaaa-0000-0000-0000-000000000000");
    private static readonly Guid NodeB = Guid.Parse("bbbbbbbb-0000-0000-0000-000000000000");
    private static readonly HybridTimestamp T1 = new(HybridTimestamp.Pack(1_700_000_000_000, 0), NodeA);
    private static readonly HybridTimestamp T2 = new(HybridTimestamp.Pack(1_700_000_000_001, 0), NodeB);

    /// <summary>A table with no columns: enough to decode a deleted row, whose values live in the metadata row.</summary>
    private static readonly ReplicatedTable NoColumns = new("T", "T", null, ReplicationKind.LastWriterWins, [], []);

    private static RowState Inserted()
        => RowState.Empty("T", "[1]").Insert(
            [KeyValuePair.Create("a", (string?)"1"), KeyValuePair.Create("b", (string?)"\"x\""), KeyValuePair.Create("c", (string?)"null")],
            T1);

    [Fact]
    public void A_fresh_insert_stores_one_clock_and_its_tag()
    {
        var row = RowStateCodec.Encode(CodecTable.T, Inserted(), 17);

        Assert.Equal(new ShadowRow("T", "[1]", 17, T1.ToString(), null, T1.ToString(), null, null), row);
    }

    [Fact]
    public void A_first_insert_stored_directly_is_the_row_its_state_encodes_to()
    {
        Assert.Equal(RowStateCodec.Encode(CodecTable.T, Inserted(), 17), RowStateCodec.FirstInsert("T", "[1]", 17, T1.ToString()));
        Assert.Equal(RowStateCodec.Encode(CodecTable.T, RowState.Empty("T", "[2]").Insert([], T2), 3), RowStateCodec.FirstInsert("T", "[2]", 3, T2.ToString()));
    }

    [Fact]
    public void A_column_written_later_is_the_only_one_listed_with_its_own_clock_and_the_one_it_replaced()
    {
        var state = Inserted().Write([KeyValuePair.Create("b", (string?)"\"y\"")], T2);

        var row = RowStateCodec.Encode(CodecTable.T, state, 18);

        Assert.Equal(T1.ToString(), row.Clock);
        Assert.Equal("{\"b\":\"" + T2 + "/" + T1 + "\"}", row.ColumnClocks);
        Assert.Equal(T1.ToString(), row.AddTags);
        Assert.Null(row.KeptValues);
    }

    [Fact]
    public void The_base_clock_is_the_clock_most_columns_share_and_the_base_prior_the_one_they_replaced()
    {
        var state = Inserted().Write([KeyValuePair.Create("a", (string?)"2"), KeyValuePair.Create("b", (string?)"3")], T2);

        var row = RowStateCodec.Encode(CodecTable.T, state, 1);

        Assert.Equal(T2.ToString(), row.Clock);
        Assert.Equal("{\"\":\"" + T1 + "\",\"c\":\"" + T1 + "\"}", row.ColumnClocks);
    }

    [Fact]
    public void A_deleted_row_stores_tombstones_and_its_values_and_no_add_tags()
    {
        var state = Inserted().Delete();

        var row = RowStateCodec.Encode(CodecTable.T, state, 19);

        Assert.Null(row.AddTags);
        Assert.Equal(T1.ToString(), row.Tombstones);
        Assert.Equal(T1.ToString(), row.Clock);
        Assert.Null(row.ColumnClocks);
        Assert.Equal("{\"a\":1,\"b\":\"x\",\"c\":null}", row.KeptValues);
        using var doc = JsonDocument.Parse(row.KeptValues!);
        Assert.Equal(JsonValueKind.Object, doc.RootElement.ValueKind);
        Assert.Equal(1, doc.RootElement.GetProperty("a").GetInt32());
        Assert.Equal("x", doc.RootElement.GetProperty("b").GetString());
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("c").ValueKind);
    }

    [Fact]
    public void Several_tags_are_stored_in_order_and_parse_back()
    {
        var state = RowMerge.Merge(Inserted(), RowState.Empty("T", "[1]").Insert([KeyValuePair.Create("a", (string?)"1")], T2));

        var row = RowStateCodec.Encode(CodecTable.T, state, 2);

        Assert.Equal(T1 + "," + T2, row.AddTags);
        Assert.Equal(state.AddTags, RowStateCodec.ParseTags(row.AddTags));
        Assert.Empty(RowStateCodec.ParseTags(null));
        Assert.Empty(RowStateCodec.ParseTags(""));
    }

    [Fact]
    public void Column_names_are_quoted_as_json()
    {
        var state = RowState.Empty("T", "[1]")
            .Insert([KeyValuePair.Create("we\"ird\\name", (string?)"1"), KeyValuePair.Create("x", (string?)"1"), KeyValuePair.Create("y", (string?)"1")], T1)
            .Write([KeyValuePair.Create("we\"ird\\name", (string?)"2")], T2)
            .Delete();

        var row = RowStateCodec.Encode(CodecTable.T, state, 3);

        var clocks = JsonSerializer.Deserialize<Dictionary<string, string>>(row.ColumnClocks!)!;
        Assert.Equal(T2 + "/" + T1, clocks["we\"ird\\name"]);
        var values = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(row.KeptValues!)!;
        Assert.Equal(2, values["we\"ird\\name"].GetInt32());
    }

    [Fact]
    public void A_deleted_row_whose_values_were_not_loaded_cannot_be_stored()
    {
        var state = RowState.Empty("T", "[1]").Insert([KeyValuePair.Create("a", (string?)null)], T1).Delete();
        Assert.Throws<InvalidOperationException>(() => RowStateCodec.Encode(CodecTable.T, state, 1));
    }

    [Fact]
    public void An_empty_state_cannot_be_stored()
    {
        Assert.Throws<InvalidOperationException>(() => RowStateCodec.Encode(CodecTable.T, RowState.Empty("T", "[1]"), 1));
    }

    [Fact]
    public void Any_state_encodes_to_a_row_that_lists_exactly_the_registers_other_than_the_base_clock_and_prior()
    {
        RowStateGen.Realistic.Where(s => s.MaxClock is not null).Sample(state =>
        {
            var row = RowStateCodec.Encode(CodecTable.T, state, 5);
            var baseClock = HybridTimestamp.Parse(row.Clock);
            var listed = row.ColumnClocks is null
                ? []
                : JsonSerializer.Deserialize<Dictionary<string, string>>(row.ColumnClocks)!;
            HybridTimestamp? basePrior = listed.Remove("", out var b) ? HybridTimestamp.Parse(b) : null;
            static (HybridTimestamp Clock, HybridTimestamp? Prior) Register(string member)
                => member.Split('/') is [var clock, var prior] ? (HybridTimestamp.Parse(clock), prior.Length == 0 ? null : HybridTimestamp.Parse(prior)) : (HybridTimestamp.Parse(member), null);

            Assert.All(listed.Values, c => Assert.NotEqual((baseClock, basePrior), Register(c)));
            foreach (var (name, value) in state.Columns)
            {
                Assert.Equal((value.Clock, value.Prior), listed.TryGetValue(name, out var c) ? Register(c) : (baseClock, basePrior));
            }

            Assert.True(listed.Keys.All(state.Columns.ContainsKey));
            Assert.Equal(state.AddTags, RowStateCodec.ParseTags(row.AddTags));
            Assert.Equal(state.Tombstones, RowStateCodec.ParseTags(row.Tombstones));
            Assert.Equal(!state.IsAlive && !state.Columns.IsEmpty, row.KeptValues is not null);
        }, iter: 500);
    }

    [Fact]
    public void Any_deleted_state_decodes_back_to_itself()
    {
        RowStateGen.Realistic.Select(s => s.Delete()).Where(s => s.MaxClock is not null).Sample(state =>
        {
            var decoded = RowStateCodec.Decode(NoColumns, RowStateCodec.Encode(CodecTable.T, state, 5), null);
            Assert.True(state.SameAs(decoded), $"{RowStateGen.Show(state)} came back as {RowStateGen.Show(decoded)}");
        }, iter: 500);
    }

    [Fact]
    public void A_deleted_state_with_a_null_value_decodes_back_to_itself()
    {
        var state = Inserted().Write([KeyValuePair.Create("a", (string?)"[1,2]")], T2).Delete();
        var decoded = RowStateCodec.Decode(NoColumns, RowStateCodec.Encode(CodecTable.T, state, 5), null);
        Assert.True(state.SameAs(decoded));
        Assert.Equal(new ColumnValue("null", T1), decoded.Columns["c"]);
        Assert.Equal(ImmutableSortedSet.Create(T1), decoded.Tombstones);
    }
}
