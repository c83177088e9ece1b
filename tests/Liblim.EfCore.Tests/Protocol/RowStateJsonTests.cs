using System.Collections.Immutable;
using System.Text;
using CsCheck;
using Liblim.EfCore.Crdt;
using Liblim.EfCore.Protocol;
using Liblim.EfCore.Tests.Crdt;
using Liblim.EfCore.Values;

namespace Liblim.EfCore.Tests.Protocol;

/// <summary>A row state written on a row line reads back as the same state, and is written in the documented form.</summary>
public class RowStateJsonTests
{
    private const int Iterations = 1000;

    private static readonly Guid NodeA = Guid.Parse("af025bd5-ad21-412c-968b-a7ee58795f56");
    private static readonly Guid NodeB = Guid.Parse("015e46ca-9ebf-4e47-91e3-ea6186af56cc");
    private static readonly HybridTimestamp T1 = new(HybridTimestamp.Pack(1_763_000_000_000, 0), NodeA);
    private static readonly HybridTimestamp T2 = new(HybridTimestamp.Pack(1_763_000_000_001, 3), NodeB);

    /// <summary>Clocks from the small shared pool (ties) and from anywhere in the range.</summary>
    private static readonly Gen<HybridTimestamp> Clock = Gen.Frequency(
        (3, (IGen<HybridTimestamp>)RowStateGen.Clock),
        (2, Gen.Select(Gen.Long[0, long.MaxValue], Gen.Guid, (ticks, node) => new HybridTimestamp(ticks, node))));

    /// <summary>Values as the canonical JSON text every replica writes for them.</summary>
    private static readonly Gen<string> CanonicalValue = Gen.Frequency(
        (2, (IGen<string>)Gen.Long.Select(v => CanonicalJson.Encode(v, typeof(long)))),
        (1, Gen.Double.Select(v => CanonicalJson.Encode(v, typeof(double)))),
        (1, Gen.Decimal.Select(v => CanonicalJson.Encode(v, typeof(decimal)))),
        (3, WireGen.Text(0, 12).Select(s => CanonicalJson.Encode(s, typeof(string)))),
        (1, Gen.Bool.Select(v => CanonicalJson.Encode(v, typeof(bool)))),
        (1, Gen.Guid.Select(v => CanonicalJson.Encode(v, typeof(Guid)))),
        (1, Gen.Const("null")));

    /// <summary>States of any table and key with any columns, clocks, add tags and tombstones; never empty.</summary>
    private static readonly Gen<RowState> WireState = Gen.Select(
            WireGen.Text(1, 10),
            WireGen.Text(1, 10),
            Gen.Select(WireGen.Text(0, 8), CanonicalValue, Clock, Gen.Select(Gen.Bool, Clock)).Array[0, 6],
            Clock.Array[0, 4],
            Clock.Array[0, 3],
            Gen.Bool,
            (table, key, columns, addTags, tombstones, deleteOne) =>
            {
                var registers = ColumnMap.Empty.ToBuilder();
                foreach (var (name, json, clock, (over, prior)) in columns)
                {
                    // A prior is earlier than its register's clock; here from anywhere below it, of any node.
                    registers[name] = new ColumnValue(json, clock, over && clock.Ticks > 0 ? new HybridTimestamp(prior.Ticks % clock.Ticks, prior.Node) : null);
                }

                return new RowState(
                    table,
                    key,
                    registers.ToImmutable(),
                    ImmutableSortedSet.CreateRange(addTags),
                    ImmutableSortedSet.CreateRange(deleteOne && addTags.Length > 0 ? tombstones.Append(addTags[0]) : tombstones));
            })
        .Where(s => !s.Columns.IsEmpty || !s.AddTags.IsEmpty || !s.Tombstones.IsEmpty);

    private static void AssertRoundTrips(RowState state)
    {
        var read = MessageAssert.RoundTrip(state);

        Assert.True(state.SameAs(read), $"wrote {MessageAssert.Show(new RowMessage(state))}\n   read {MessageAssert.Show(new RowMessage(read))}");
    }

    /// <summary>The short form of a timestamp: its ticks alone.</summary>
    private static string Ticks(HybridTimestamp ts) => ts.ToString()[..16];

    private static string Line(RowState state) => Encoding.UTF8.GetString(MessageAssert.Written([new RowMessage(state)]));

    private static RowState Inserted()
        => RowState.Empty("Items", "[7]").Insert(
            [KeyValuePair.Create("Done", (string?)"false"), KeyValuePair.Create("Notes", (string?)"null"), KeyValuePair.Create("Title", (string?)"\"Call Bob\"")],
            T1);

    [Fact]
    public void Generated_states_of_any_table_key_columns_and_tags_read_back_the_same()
    {
        WireState.Sample(AssertRoundTrips, iter: Iterations);
    }

    [Fact]
    public void States_from_the_merge_law_generators_read_back_the_same()
    {
        RowStateGen.Realistic.Where(s => !s.Columns.IsEmpty || !s.AddTags.IsEmpty || !s.Tombstones.IsEmpty)
            .Sample(AssertRoundTrips, iter: Iterations);
    }

    [Fact]
    public void A_written_state_is_one_line()
    {
        WireState.Sample(state =>
        {
            var line = Line(state);

            Assert.Equal(line.Length - 1, line.IndexOfAny(['\n', '\r']));
        }, iter: Iterations);
    }

    [Fact]
    public void A_column_written_later_is_listed_in_c_with_the_clock_it_replaced_in_p_and_the_others_share_t()
    {
        var state = Inserted().Write([KeyValuePair.Create("Done", (string?)"true")], T2);

        Assert.Equal(
            $"Items/[7]:{{\"t\":\"{T1}\",\"v\":{{\"Done\":true,\"Notes\":null,\"Title\":\"Call Bob\"}},\"c\":{{\"Done\":\"{T2}\"}},\"p\":{{\"Done\":\"{Ticks(T1)}\"}},\"a\":[\"{Ticks(T1)}\"]}}\n",
            Line(state));
        AssertRoundTrips(state);
    }

    [Fact]
    public void A_deleted_row_keeps_its_values_and_lists_its_tombstones_and_no_add_tags()
    {
        var state = Inserted().Delete();

        Assert.Equal(
            $"Items/[7]:{{\"t\":\"{T1}\",\"v\":{{\"Done\":false,\"Notes\":null,\"Title\":\"Call Bob\"}},\"d\":[\"{Ticks(T1)}\"]}}\n",
            Line(state));
        AssertRoundTrips(state);
    }

    [Fact]
    public void Members_in_any_order_read_as_the_same_state()
    {
        var ordered = $"Items/[7]:{{\"t\":\"{T1}\",\"v\":{{\"Done\":true,\"Notes\":null}},\"c\":{{\"Done\":\"{T2}\"}},\"a\":[\"{T2}\",\"{T1}\"],\"d\":[\"{T1}\"]}}";
        var shuffled = $"Items/[7]:{{\"d\":[\"{T1}\"],\"c\":{{\"Done\":\"{T2}\"}},\"a\":[\"{T1}\",\"{T2}\"],\"v\":{{\"Notes\":null,\"Done\":true}},\"t\":\"{T1}\"}}";

        var a = Assert.IsType<RowMessage>(MessageAssert.ParseLine(ordered)).State;
        var b = Assert.IsType<RowMessage>(MessageAssert.ParseLine(shuffled)).State;

        Assert.True(a.SameAs(b));
        Assert.Equal([T2], a.AddTags);
        Assert.Equal([T1], a.Tombstones);
        Assert.Equal(new ColumnValue("true", T2), a.Columns["Done"]);
        Assert.Equal(new ColumnValue("null", T1), a.Columns["Notes"]);
    }

    [Fact]
    public void A_state_of_tags_alone_reads_with_no_columns()
    {
        var state = Assert.IsType<RowMessage>(MessageAssert.ParseLine($"Items/[7]:{{\"a\":[\"{T1}\"]}}")).State;

        Assert.Empty(state.Columns);
        Assert.Equal([T1], state.AddTags);
        Assert.Empty(state.Tombstones);
    }

    [Fact]
    public void A_clock_of_the_node_of_t_is_written_as_its_ticks_alone_and_reads_back_as_the_same_state()
    {
        var later = new HybridTimestamp(HybridTimestamp.Pack(1_763_000_000_002, 1), NodeA);
        var state = new RowState(
            "Items",
            "[7]",
            ColumnMap.CreateRange([
                KeyValuePair.Create("Done", new ColumnValue("true", later)),
                KeyValuePair.Create("Notes", new ColumnValue("\"x\"", T2)),
                KeyValuePair.Create("Title", new ColumnValue("\"Call Bob\"", T1)),
                KeyValuePair.Create("Zone", new ColumnValue("1", T1))]),
            [T2],
            [T1]);

        var line = Line(state);

        Assert.Equal(
            $"Items/[7]:{{\"t\":\"{T1}\",\"v\":{{\"Done\":true,\"Notes\":\"x\",\"Title\":\"Call Bob\",\"Zone\":1}},\"c\":{{\"Done\":\"{Ticks(later)}\",\"Notes\":\"{T2}\"}},\"a\":[\"{T2}\"],\"d\":[\"{Ticks(T1)}\"]}}\n",
            line);
        AssertRoundTrips(state);
    }

    [Fact]
    public void Short_and_full_clocks_of_the_node_of_t_read_as_the_same_state()
    {
        var full = $"Items/[7]:{{\"t\":\"{T1}\",\"v\":{{\"Done\":true,\"Notes\":null}},\"c\":{{\"Done\":\"{T2}\",\"Notes\":\"{T1.WithTicks(T1.Ticks + 1)}\"}},\"a\":[\"{T2}\",\"{T1}\"],\"d\":[\"{T1.WithTicks(5)}\"]}}";
        var short_ = $"Items/[7]:{{\"a\":[\"{T2}\",\"{Ticks(T1)}\"],\"c\":{{\"Done\":\"{T2}\",\"Notes\":\"{Ticks(T1.WithTicks(T1.Ticks + 1))}\"}},\"d\":[\"0000000000000005\"],\"v\":{{\"Done\":true,\"Notes\":null}},\"t\":\"{T1}\"}}";

        var a = Assert.IsType<RowMessage>(MessageAssert.ParseLine(full)).State;
        var b = Assert.IsType<RowMessage>(MessageAssert.ParseLine(short_)).State;

        Assert.True(a.SameAs(b));
        Assert.Equal([T1, T2], b.AddTags);
        Assert.Equal([T1.WithTicks(5)], b.Tombstones);
        Assert.Equal(new ColumnValue("null", T1.WithTicks(T1.Ticks + 1)), b.Columns["Notes"]);
        Assert.Equal(Line(a), Line(b));
    }

    [Fact]
    public void Writers_always_use_the_short_form_where_they_can()
    {
        WireState.Sample(state =>
        {
            var line = Line(state);
            using var json = System.Text.Json.JsonDocument.Parse(line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..]);
            var root = json.RootElement;
            HybridTimestamp? t = root.TryGetProperty("t", out var te) ? HybridTimestamp.Parse(te.GetString()) : null;
            var clocks = new List<string>();
            if (root.TryGetProperty("c", out var c))
            {
                clocks.AddRange(c.EnumerateObject().Select(p => p.Value.GetString()!));
            }

            foreach (var name in new[] { "a", "d" })
            {
                if (root.TryGetProperty(name, out var tags))
                {
                    clocks.AddRange(tags.EnumerateArray().Select(e => e.GetString()!));
                }
            }

            Assert.All(clocks, text =>
            {
                if (text.Length == HybridTimestamp.TextLength)
                {
                    Assert.False(t is { } b && HybridTimestamp.Parse(text).Node == b.Node, $"a full clock of the node of t in {line}");
                }
                else
                {
                    Assert.NotNull(t);
                    Assert.Equal(RowStateTimestamp.ShortLength, text.Length);
                }
            });
        }, iter: Iterations);
    }

    /// <summary>
    /// Any JSON of the same meaning reads as the state its writer wrote: members in any order (short clocks before the
    /// <c>"t"</c> that resolves them), the entries of <c>"v"</c>, <c>"c"</c> and <c>"p"</c> in any order, names escaped,
    /// whitespace between tokens.
    /// </summary>
    [Fact]
    public void A_state_written_in_another_order_with_escaped_names_and_whitespace_reads_as_the_same_state()
    {
        Gen.Select(WireState, Gen.Int[0, int.MaxValue]).Sample((state, seed) =>
        {
            var line = Line(state);
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            using var json = System.Text.Json.JsonDocument.Parse(line[(colon + 1)..]);
            var random = new Random(seed);
            var rewritten = $"{line[..(colon + 1)]} {Reordered(json.RootElement, random, depth: 0)} ";

            var read = Assert.IsType<RowMessage>(MessageAssert.ParseLine(rewritten)).State;

            Assert.True(state.SameAs(read), $"wrote {line}\n   as {rewritten}\n read {MessageAssert.Show(new RowMessage(read))}");
        }, iter: Iterations);
    }

    /// <summary>The element's JSON with the members of the state and of its <c>"v"</c>, <c>"c"</c> and <c>"p"</c> shuffled, names escaped at random and spaces around tokens; values as they are.</summary>
    private static string Reordered(System.Text.Json.JsonElement element, Random random, int depth)
    {
        if (element.ValueKind != System.Text.Json.JsonValueKind.Object || depth > 1)
        {
            return element.GetRawText();
        }

        var members = element.EnumerateObject()
            .Select(m => $"{Escaped(m.Name, random)} :{(random.Next(2) == 0 ? "" : "\t")}{Reordered(m.Value, random, depth + 1)}")
            .OrderBy(_ => random.Next())
            .ToList();
        return "{ " + string.Join(" , ", members) + "}";
    }

    /// <summary>A name as a JSON string, each character written as a \u escape or as itself at random (escaped where JSON needs it).</summary>
    private static string Escaped(string name, Random random)
    {
        var text = new StringBuilder("\"");
        foreach (var rune in name.EnumerateRunes())
        {
            var c = rune.ToString(); // a surrogate pair is escaped whole or not at all
            text.Append(random.Next(3) == 0 || c is "\"" or "\\" || c[0] < ' ' ? string.Concat(c.Select(u => $"\\u{(int)u:x4}")) : c);
        }

        return text.Append('"').ToString();
    }
}
