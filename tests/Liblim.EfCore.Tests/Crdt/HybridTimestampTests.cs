using CsCheck;

namespace Liblim.EfCore.Tests.Crdt;

public class HybridTimestampTests
{
    private static readonly Guid Low = Guid.Parse("00000000-0000-0000-0000-000000000001");
    private static readonly Guid High = Guid.Parse("ffffffff-ffff-ffff-ffff-ffffffffffff");

    /// <summary>Ticks: mostly anywhere in range, sometimes from a tiny pool so that equal ticks (node decides) occur.</summary>
    private static readonly Gen<long> Ticks = Gen.Frequency(
        (3, (IGen<long>)Gen.Long[0, long.MaxValue]),
        (2, Gen.Long[0, 3]));

    private static readonly Gen<HybridTimestamp> Timestamps =
        Gen.Select(Ticks, Gen.Guid, (t, n) => new HybridTimestamp(t, n));

    [Fact]
    public void Text_form_round_trips_through_Parse()
    {
        Timestamps.Sample(ts =>
        {
            var text = ts.ToString();
            var parsed = HybridTimestamp.Parse(text);
            Assert.Equal(HybridTimestamp.TextLength, text.Length);
            Assert.Equal(ts, parsed);
            Assert.Equal(ts.Ticks, parsed.Ticks);
            Assert.Equal(ts.Node, parsed.Node);
            Assert.Equal(text, parsed.ToString());
        }, iter: 500);
    }

    [Fact]
    public void Node_survives_construction_unchanged()
    {
        Gen.Guid.Sample(node => Assert.Equal(node, new HybridTimestamp(7, node).Node), iter: 500);
    }

    [Fact]
    public void Text_form_is_lowercase_hex_ticks_dot_node()
    {
        var node = Guid.Parse("0123456789abcdef0123456789ABCDEF");
        var ts = new HybridTimestamp(0x1A2B, node);
        Assert.Equal("0000000000001a2b.0123456789abcdef0123456789abcdef", ts.ToString());
    }

    [Fact]
    public void Ordinal_order_of_text_is_the_order_of_timestamps()
    {
        Gen.Select(Timestamps, Timestamps).Sample((a, b) =>
            Math.Sign(string.CompareOrdinal(a.ToString(), b.ToString())) == Math.Sign(a.CompareTo(b)),
            iter: 1000);
    }

    [Fact]
    public void Operators_agree_with_CompareTo()
    {
        Gen.Select(Timestamps, Timestamps).Sample((a, b) =>
        {
            var c = a.CompareTo(b);
            Assert.Equal(c < 0, a < b);
            Assert.Equal(c > 0, a > b);
            Assert.Equal(c <= 0, a <= b);
            Assert.Equal(c >= 0, a >= b);
            Assert.Equal(c == 0, a == b);
            Assert.Equal(c != 0, a != b);
            Assert.Equal(c == 0, a.Equals(b));
            Assert.Equal(-Math.Sign(c), Math.Sign(b.CompareTo(a)));
            if (c == 0)
            {
                Assert.Equal(a.GetHashCode(), b.GetHashCode());
            }
        }, iter: 1000);
    }

    [Fact]
    public void Ticks_order_before_node()
    {
        var earlierTicksHighNode = new HybridTimestamp(1, High);
        var laterTicksLowNode = new HybridTimestamp(2, Low);
        Assert.True(earlierTicksHighNode < laterTicksLowNode);
        Assert.True(laterTicksLowNode.CompareTo(earlierTicksHighNode) > 0);
    }

    [Fact]
    public void Equal_ticks_order_by_node()
    {
        Assert.True(new HybridTimestamp(5, Low) < new HybridTimestamp(5, High));
        Assert.NotEqual(new HybridTimestamp(5, Low), new HybridTimestamp(5, High));
        Assert.Equal(new HybridTimestamp(5, High), new HybridTimestamp(5, High));
    }

    [Fact]
    public void Node_order_is_the_order_of_its_hex_text_not_of_Guid_CompareTo()
    {
        // Guid's own CompareTo reads the first fields little-endian; the timestamp must follow the text.
        var a = Guid.Parse("01000000-0000-0000-0000-0000000000ff");
        var b = Guid.Parse("00ff0000-0000-0000-0000-000000000000");
        Assert.True(new HybridTimestamp(9, a) > new HybridTimestamp(9, b));
        Gen.Select(Gen.Guid, Gen.Guid).Sample((x, y) =>
            Math.Sign(new HybridTimestamp(9, x).CompareTo(new HybridTimestamp(9, y)))
            == Math.Sign(string.CompareOrdinal(x.ToString("N"), y.ToString("N"))),
            iter: 500);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0000000000000001.0123456789abcdef0123456789abcde")] // node one digit short
    [InlineData("0000000000000001.0123456789abcdef0123456789abcdef0")] // node one digit long
    [InlineData("000000000000001.0123456789abcdef0123456789abcdef0")] // ticks one digit short
    [InlineData("0000000000000001-0123456789abcdef0123456789abcdef")] // wrong separator
    [InlineData("00000000000000010123456789abcdef0123456789abcdef0")] // no dot, right length
    [InlineData("000000000000000A.0123456789abcdef0123456789abcdef")] // uppercase ticks
    [InlineData("0000000000000001.0123456789ABCDEF0123456789abcdef")] // uppercase node
    [InlineData("8000000000000000.0123456789abcdef0123456789abcdef")] // negative ticks (sign bit)
    [InlineData("ffffffffffffffff.0123456789abcdef0123456789abcdef")] // -1
    [InlineData("-000000000000001.0123456789abcdef0123456789abcdef")] // minus sign
    [InlineData(" 000000000000001.0123456789abcdef0123456789abcdef")] // leading space
    [InlineData("000000000000000g.0123456789abcdef0123456789abcdef")] // not hex
    [InlineData("0000000000000001.0123456789abcdef0123456789abcdeg")] // not hex in node
    [InlineData("0000000000000001.01234567-89ab-cdef-0123-456789ab")] // dashed node, same length
    public void Parse_rejects_malformed_text(string text)
    {
        Assert.Throws<FormatException>(() => HybridTimestamp.Parse(text));
        Assert.False(HybridTimestamp.TryParse(text, out var ts));
        Assert.Equal(default, ts);
    }

    [Fact]
    public void Largest_ticks_parse()
    {
        var ts = HybridTimestamp.Parse("7fffffffffffffff.ffffffffffffffffffffffffffffffff");
        Assert.Equal(long.MaxValue, ts.Ticks);
        Assert.Equal(High, ts.Node);
    }

    [Fact]
    public void Constructor_rejects_negative_ticks()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new HybridTimestamp(-1, Low));
    }

    [Fact]
    public void PhysicalMilliseconds_and_Counter_unpack_Pack()
    {
        Gen.Select(Gen.Long[0, (1L << 47) - 1], Gen.Int[0, (1 << HybridTimestamp.CounterBits) - 1]).Sample((ms, counter) =>
        {
            var ts = new HybridTimestamp(HybridTimestamp.Pack(ms, counter), Low);
            Assert.Equal(ms, ts.PhysicalMilliseconds);
            Assert.Equal(counter, ts.Counter);
        }, iter: 1000);
    }

    [Fact]
    public void Pack_orders_by_milliseconds_then_counter()
    {
        Assert.True(HybridTimestamp.Pack(1, 65535) < HybridTimestamp.Pack(2, 0));
        Assert.True(HybridTimestamp.Pack(2, 0) < HybridTimestamp.Pack(2, 1));
        Assert.Equal(2L << 16, HybridTimestamp.Pack(2, 0));
    }

    [Fact]
    public void PhysicalTime_is_the_utc_instant_of_the_milliseconds()
    {
        var instant = new DateTimeOffset(2024, 5, 6, 7, 8, 9, 123, TimeSpan.Zero);
        var ts = new HybridTimestamp(HybridTimestamp.Pack(instant.ToUnixTimeMilliseconds(), 42), Low);
        Assert.Equal(instant, ts.PhysicalTime);
        Assert.Equal(TimeSpan.Zero, ts.PhysicalTime.Offset);
    }
}
