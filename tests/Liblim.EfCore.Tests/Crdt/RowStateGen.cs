using System.Collections.Immutable;
using CsCheck;
using Liblim.EfCore.Crdt;

namespace Liblim.EfCore.Tests.Crdt;

/// <summary>
/// Generators of states of one row (table "T", key "[1]"). Clocks come from a small pool (3 ticks x 3 nodes) so
/// that equal clocks, and so ties between replicas, happen often.
/// </summary>
internal static class RowStateGen
{
    public const string Table = "T";
    public const string Key = "[1]";

    public static readonly Guid[] Nodes =
    [
        Guid.Parse("11111111-1111-1111-1111-111111111111"),
        Guid.Parse("22222222-2222-2222-2222-222222222222"),
        Guid.Parse("33333333-3333-3333-3333-333333333333"),
    ];

    public static readonly string[] ColumnNames = ["a", "b", "c", "d"];

    public static readonly Gen<HybridTimestamp> Clock =
        Gen.Select(Gen.Long[1, 3], Gen.Int[0, Nodes.Length - 1], (t, n) => new HybridTimestamp(t, Nodes[n]));

    /// <summary>The value a realistic state holds for a write: a function of the write's clock.</summary>
    public static string ValueOf(HybridTimestamp clock) => "\"" + clock + "\"";

    /// <summary>The prior a realistic state holds for a write: a function of the write's clock (none for the earliest ticks, an insert's).</summary>
    public static HybridTimestamp? PriorOf(HybridTimestamp clock) => clock.Ticks == 1 ? null : new HybridTimestamp(clock.Ticks - 1, Nodes[(int)(clock.Ticks % Nodes.Length)]);

    /// <summary>States whose registers hold the value and prior of their write (equal clocks, equal values and priors).</summary>
    public static readonly Gen<RowState> Realistic = States(Clock.Select(c => new ColumnValue(ValueOf(c), c, PriorOf(c))));

    /// <summary>States whose registers hold any value and prior, also different values (or none) at equal clocks.</summary>
    public static readonly Gen<RowState> Arbitrary = States(
        Gen.Select(Gen.OneOf<string?>("1", "2", "\"x\"", "null", "true", null), Clock, Gen.Bool, Clock,
            (json, c, over, prior) => new ColumnValue(json, c, over ? prior : null)));

    public static RowState Empty => RowState.Empty(Table, Key);

    private static Gen<RowState> States(Gen<ColumnValue> register)
        => Gen.Select(
            Gen.Select(Gen.Bool, register).Array[ColumnNames.Length],
            Clock.Array[0, 3],
            Clock.Array[0, 3],
            (columns, addTags, tombstones) => new RowState(
                Table,
                Key,
                ColumnMap.CreateRange(
                    columns.Select((c, i) => (c.Item1, Name: ColumnNames[i], Value: c.Item2))
                        .Where(c => c.Item1)
                        .Select(c => KeyValuePair.Create(c.Name, c.Value))),
                ImmutableSortedSet.CreateRange(addTags),
                ImmutableSortedSet.CreateRange(tombstones)));

    /// <summary>Text of a state for failure messages.</summary>
    public static string Show(RowState s)
        => "{cols: " + string.Join(", ", s.Columns.Select(c => $"{c.Key}={c.Value.Json}@{Short(c.Value.Clock)}"))
           + "; add: " + string.Join(",", s.AddTags.Select(Short))
           + "; tomb: " + string.Join(",", s.Tombstones.Select(Short)) + "}";

    private static string Short(HybridTimestamp t) => $"{t.Ticks}/{t.Node.ToString()[0]}";
}
