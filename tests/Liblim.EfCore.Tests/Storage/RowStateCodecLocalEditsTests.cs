using System.Collections.Immutable;
using CsCheck;
using Liblim.EfCore.Crdt;
using Liblim.EfCore.Storage.Internal;
using Liblim.EfCore.Tests.Crdt;

namespace Liblim.EfCore.Tests.Storage;

/// <summary>
/// Capture writes and deletes a row shown as it is straight on its metadata row: the row it stores must be exactly the
/// one the row's state would encode to after the same write or delete, or replicas would disagree on what they hold.
/// </summary>
public class RowStateCodecLocalEditsTests
{
    private static readonly string[] Columns = RowStateGen.ColumnNames;

    /// <summary>Alive states with a register for every column (as a shown row decodes), tags and clocks from a small pool.</summary>
    private static readonly Gen<RowState> Shown = Gen.Select(
            RowStateGen.Clock.Array[Columns.Length],
            RowStateGen.Clock.Array[1, 3],
            RowStateGen.Clock.Array[0, 3],
            (clocks, addTags, tombstones) => new RowState(
                RowStateGen.Table,
                RowStateGen.Key,
                ColumnMap.CreateRange(
                    Columns.Select((c, i) => KeyValuePair.Create(c, new ColumnValue(RowStateGen.ValueOf(clocks[i]), clocks[i])))),
                ImmutableSortedSet.CreateRange(addTags),
                ImmutableSortedSet.CreateRange(tombstones)))
        .Where(s => s.IsAlive);

    [Fact]
    public void A_write_made_on_the_metadata_row_stores_what_the_written_state_encodes_to()
    {
        Gen.Select(Shown, Gen.Bool.Array[Columns.Length], RowStateGen.Clock).Sample((state, written, at) =>
        {
            var names = Columns.Where((_, i) => written[i]).ToHashSet(StringComparer.Ordinal);
            var stored = RowStateCodec.Encode(CodecTable.T, state, 1);

            var edited = RowStateCodec.Written(stored, Columns, names.Contains, at.ToString(), 2);

            var expected = RowStateCodec.Encode(CodecTable.T, state.Write(names.Select(n => KeyValuePair.Create(n, (string?)"0")), at), 2);
            Assert.Equal(expected, edited with { Update = null });
        });
    }

    [Fact]
    public void A_write_later_than_every_clock_of_the_row_keeps_the_position_before_it_and_its_registers_are_those_at_the_greatest_clock()
    {
        Gen.Select(Shown, Gen.Bool.Array[Columns.Length], RowStateGen.Clock).Sample((state, written, at) =>
        {
            var names = Columns.Where((_, i) => written[i]).ToHashSet(StringComparer.Ordinal);
            var later = state.Columns.Values.All(c => c.Clock < at);

            var edited = RowStateCodec.Written(RowStateCodec.Encode(CodecTable.T, state, 1), Columns, names.Contains, at.ToString(), 2);

            Assert.Equal(later ? new RowUpdate(2, 1) : null, edited.Update);
            if (later && names.Count > 0)
            {
                var after = state.Write(names.Select(n => KeyValuePair.Create(n, (string?)"0")), at);
                Assert.Equal(names.Order(StringComparer.Ordinal), RowDelta.LatestWrite(after).Columns.Keys);
            }
        });
    }

    [Fact]
    public void A_delete_made_on_the_metadata_row_stores_what_the_deleted_state_encodes_to()
    {
        Shown.Sample(state =>
        {
            var stored = RowStateCodec.Encode(CodecTable.T, state, 1);
            var values = Columns.Select(c => state.Columns[c].Json!).ToList();

            var edited = RowStateCodec.Deleted(stored, Columns, (sb, i) => sb.Append(values[i]), 2);

            Assert.Equal(RowStateCodec.Encode(CodecTable.T, state.Delete(), 2), edited);
        });
    }

    [Fact]
    public void A_later_write_of_most_columns_moves_the_base_clock_gives_it_their_prior_and_lists_the_rest()
    {
        var t1 = new HybridTimestamp(HybridTimestamp.Pack(1_700_000_000_000, 0), RowStateGen.Nodes[0]);
        var t2 = new HybridTimestamp(HybridTimestamp.Pack(1_700_000_000_001, 0), RowStateGen.Nodes[1]);
        var stored = new ShadowRow("T", "[1]", 1, t1.ToString(), null, t1.ToString(), null, null);

        var edited = RowStateCodec.Written(stored, Columns, c => c != "b", t2.ToString(), 2);

        Assert.Equal(t2.ToString(), edited.Clock);
        // The written registers' prior (the clock they replaced) is the base prior; b, at its insert's clock, has none.
        Assert.Equal("{\"\":\"" + t1 + "\",\"b\":\"" + t1 + "\"}", edited.ColumnClocks);
        Assert.Equal(t1.ToString(), edited.AddTags);
        Assert.Equal(2, edited.Seq);
    }

    [Fact]
    public void Only_a_row_shown_as_it_is_can_be_edited_on_its_metadata_row()
    {
        var clock = new HybridTimestamp(1, RowStateGen.Nodes[0]).ToString();
        var shown = new ShadowRow("T", "[1]", 1, clock, null, clock, null, null);

        Assert.True(RowStateCodec.IsPlainlyShown(shown));
        Assert.False(RowStateCodec.IsPlainlyShown(shown with { AddTags = null, Tombstones = clock, KeptValues = "{\"a\":1}" }));
        Assert.False(RowStateCodec.IsPlainlyShown(shown with { Held = "{}" }));
        Assert.False(RowStateCodec.IsPlainlyShown(shown with { KeptValues = "{\"a\":1}" }));
    }
}
