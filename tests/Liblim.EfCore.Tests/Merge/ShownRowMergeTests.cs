using System.Collections.Immutable;
using CsCheck;
using Liblim.EfCore.Crdt;
using Liblim.EfCore.Merge.Internal;
using Liblim.EfCore.Storage.Internal;
using Liblim.EfCore.Tests.Crdt;
using Liblim.EfCore.Tests.Storage;

namespace Liblim.EfCore.Tests.Merge;

/// <summary>
/// Merging a peer's state into a row shown here turns the row's values into JSON only where the merge compares or keeps
/// them (<see cref="RowStateApplier.MergeInto"/>). What it decides must be what merging the row with every value
/// decoded decides, or replicas would disagree on what they hold.
/// </summary>
public class ShownRowMergeTests
{
    private const string Peer = "peer";

    private static readonly string[] Columns = RowStateGen.ColumnNames;

    private static readonly Gen<string> Value = Gen.OneOf("\"x\"", "\"y\"", "null");

    /// <summary>Registers whose values differ also at equal clocks, so that the merge's comparison of values is reached.</summary>
    private static readonly Gen<ColumnValue> Register = Gen.Select(Value, RowStateGen.Clock, Gen.Bool, RowStateGen.Clock,
        (json, clock, over, prior) => new ColumnValue(json, clock, over ? prior : null));

    /// <summary>A shown row here: alive, a register for every column.</summary>
    private static readonly Gen<RowState> Local = Gen.Select(Register.Array[Columns.Length], RowStateGen.Clock.Array[1, 3], RowStateGen.Clock.Array[0, 3],
            (registers, addTags, tombstones) => State(Columns.Select((c, i) => KeyValuePair.Create(c, registers[i])), addTags, tombstones))
        .Where(s => s.IsAlive);

    /// <summary>A peer's state: any of the columns, alive or deleted.</summary>
    private static readonly Gen<RowState> Remote = Gen.Select(Gen.Select(Gen.Bool, Register).Array[Columns.Length], RowStateGen.Clock.Array[0, 3], RowStateGen.Clock.Array[0, 3],
        (registers, addTags, tombstones) => State(
            Columns.Select((c, i) => (Has: registers[i].Item1, Register: KeyValuePair.Create(c, registers[i].Item2))).Where(r => r.Has).Select(r => r.Register),
            addTags, tombstones));

    [Fact]
    public void A_shown_row_merged_with_its_values_decoded_only_where_needed_gives_what_decoding_every_value_gives()
    {
        Gen.Select(Local, Remote, Gen.Bool).Sample((local, remote, sentBefore) =>
        {
            var stored = RowStateCodec.Encode(CodecTable.T, local, 1, source: sentBefore ? Peer : null);
            var data = DataRow(local);

            var (merged, source, conflicts) = RowStateApplier.MergeInto(CodecTable.T, stored, data, remote, Peer, null, journal: true);

            var decoded = RowStateCodec.Decode(CodecTable.T, stored, data);
            var expected = RowMerge.Merge(decoded, remote);
            var changed = !expected.SameAs(decoded);
            Assert.Equal(changed, merged is not null);
            if (changed)
            {
                Assert.True(expected.SameAs(merged!), $"{RowStateGen.Show(expected)} != {RowStateGen.Show(merged!)}");
                Assert.Equal(expected.SameAs(remote) || sentBefore ? Peer : null, source);
            }

            Assert.Equal(RowConflicts.Between(decoded, remote) ?? [], conflicts ?? []);
        }, iter: 20_000);
    }

    private static RowState State(IEnumerable<KeyValuePair<string, ColumnValue>> registers, HybridTimestamp[] addTags, HybridTimestamp[] tombstones)
        => new(RowStateGen.Table, RowStateGen.Key, ColumnMap.CreateRange(registers), ImmutableSortedSet.CreateRange(addTags), ImmutableSortedSet.CreateRange(tombstones));

    /// <summary>The data row showing a state: its key, then its values as model values, by ordinal.</summary>
    private static object?[] DataRow(RowState state)
    {
        var table = CodecTable.T;
        var row = new object?[table.AllColumns.Count];
        table.DecodeKey(state.Key).CopyTo(row, 0);
        foreach (var (name, value) in state.Columns)
        {
            var column = table.FindColumn(name)!;
            row[column.Ordinal] = column.FromJson(value.Json!);
        }

        return row;
    }
}
