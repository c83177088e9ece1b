using CsCheck;
using Liblim.EfCore.Crdt;

namespace Liblim.EfCore.Tests.Crdt;

/// <summary>
/// A row's registers by column name (<see cref="ColumnMap"/>): under any sequence of changes it holds what a sorted
/// dictionary holds, in the same order, and a map once made never changes, also when a builder made from it goes on.
/// </summary>
public class ColumnMapTests
{
    private static readonly string[] Names = ["A", "B", "Done", "Title", "a", "zz", "\u00e9t\u00e9"];

    private static readonly Gen<(bool Remove, string Name, long Ticks)> Change
        = Gen.Select(Gen.Int[0, 3].Select(i => i == 0), Gen.Int[0, Names.Length - 1].Select(i => Names[i]), Gen.Long[1, 1_000]);

    private static ColumnValue Value(long ticks) => new($"{ticks}", new HybridTimestamp(ticks, Guid.Empty));

    [Fact]
    public void Any_sequence_of_changes_gives_what_a_sorted_dictionary_gives_and_leaves_earlier_maps_as_they_were()
    {
        Gen.Select(Change.Array[0, 20], Change.Array[0, 20]).Sample((first, second) =>
        {
            var expected = new SortedDictionary<string, ColumnValue>(StringComparer.Ordinal);
            var builder = ColumnMap.Empty.ToBuilder();
            Apply(first, builder, expected);
            var map = builder.ToImmutable();
            var snapshot = expected.ToList();

            // Going on with the same builder, and with a builder made from the map, changes neither the map nor each other's result.
            var other = map.ToBuilder();
            var otherExpected = new SortedDictionary<string, ColumnValue>(expected, StringComparer.Ordinal);
            Apply(second, builder, expected);
            Apply(second.Reverse().ToArray(), other, otherExpected);

            Assert.Equal(snapshot, map.ToList());
            Assert.Equal(expected.ToList(), builder.ToImmutable().ToList());
            Assert.Equal(otherExpected.ToList(), other.ToImmutable().ToList());
            Assert.Equal(snapshot.Count, map.Count);
            foreach (var name in Names)
            {
                Assert.Equal(snapshot.Any(p => p.Key == name), map.TryGetValue(name, out var value));
                Assert.Equal(snapshot.FirstOrDefault(p => p.Key == name).Value, value);
            }
        });
    }

    [Fact]
    public void Maps_made_from_a_tables_names_share_them_and_a_builder_that_only_replaces_registers_keeps_sharing()
    {
        string[] names = ["Done", "Title"];
        var map = ColumnMap.FromSorted(names, [Value(1), Value(2)]);
        var builder = map.ToBuilder();
        builder["Title"] = Value(3);
        var changed = builder.ToImmutable();

        Assert.Same(names, changed.Keys);
        Assert.Equal([Value(1), Value(3)], changed.Values);
        Assert.Equal([Value(1), Value(2)], map.Values);
        Assert.Same(map, map.ToBuilder().ToImmutable());
        Assert.Throws<ArgumentException>(() => ColumnMap.FromSorted(names, [Value(1)]));
    }

    private static void Apply((bool Remove, string Name, long Ticks)[] changes, ColumnMap.Builder builder, SortedDictionary<string, ColumnValue> expected)
    {
        foreach (var (remove, name, ticks) in changes)
        {
            if (remove)
            {
                Assert.Equal(expected.Remove(name), builder.Remove(name));
            }
            else
            {
                expected[name] = Value(ticks);
                builder[name] = Value(ticks);
            }

            Assert.Equal(expected.Count, builder.Count);
        }
    }
}
