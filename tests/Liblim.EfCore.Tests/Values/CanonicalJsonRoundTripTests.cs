using CsCheck;
using Liblim.EfCore.Values;

namespace Liblim.EfCore.Tests.Values;

/// <summary>Every supported value decodes from its canonical text to itself, and re-encodes to the same text.</summary>
public class CanonicalJsonRoundTripTests
{
    private const int Iterations = 500;

    public enum Color : short
    {
        Red = -1,
        Green = 0,
        Blue = 7,
    }

    public enum Huge : ulong
    {
        Max = ulong.MaxValue,
    }

    private static T RoundTrip<T>(T value)
    {
        var text = CanonicalJson.Encode(value, typeof(T));
        var decoded = CanonicalJson.Decode(text, typeof(T));
        Assert.Equal(text, CanonicalJson.Encode(decoded, typeof(T)));
        return (T)decoded!;
    }

    private static void AssertRoundTrips<T>(T value) => Assert.Equal(value, RoundTrip(value));

    [Theory]
    [InlineData("")]
    [InlineData("plain")]
    [InlineData("héllo wörld ünïcödé 日本語")]
    [InlineData("emoji 😀👍🏽 and flag 🇫🇷")]
    [InlineData("quote \" and backslash \\ and slash /")]
    [InlineData("controls \n\r\t\b\f \u0000 \u0001 \u001f \u007f")]
    [InlineData("line separators \u2028 \u2029")]
    public void Strings_round_trip(string value) => AssertRoundTrips(value);

    [Fact]
    public void Random_strings_round_trip()
    {
        Gen.String.Sample(s => Assert.Equal(s, RoundTrip(s)), iter: Iterations);
    }

    [Fact]
    public void Random_well_formed_utf16_strings_round_trip()
    {
        // Any code unit that is not a surrogate, or a well-formed surrogate pair (any astral code point).
        var bmp = Gen.Frequency((3, (IGen<string>)Gen.Char['\0', '\ud7ff'].Select(c => c.ToString())), (1, Gen.Char['\ue000', '\uffff'].Select(c => c.ToString())));
        var astral = Gen.Int[0x10000, 0x10FFFF].Select(char.ConvertFromUtf32);
        Gen.Frequency((4, (IGen<string>)bmp), (1, astral)).Array[0, 12].Select(parts => string.Concat(parts))
            .Sample(s => Assert.Equal(s, RoundTrip(s)), iter: Iterations);
    }

    [Fact]
    public void Bools_round_trip()
    {
        Assert.Equal("true", CanonicalJson.Encode(true, typeof(bool)));
        Assert.Equal("false", CanonicalJson.Encode(false, typeof(bool)));
        AssertRoundTrips(true);
        AssertRoundTrips(false);
    }

    [Theory]
    [InlineData('a')]
    [InlineData('"')]
    [InlineData('\\')]
    [InlineData('\0')]
    [InlineData('é')]
    public void Chars_round_trip(char value) => AssertRoundTrips(value);

    [Fact]
    public void Guids_round_trip_in_lowercase_dashed_form()
    {
        Assert.Equal("\"0123abcd-0000-0000-0000-0000000000ff\"",
            CanonicalJson.Encode(Guid.Parse("0123ABCD-0000-0000-0000-0000000000FF"), typeof(Guid)));
        Gen.Guid.Sample(g => Assert.Equal(g, RoundTrip(g)), iter: Iterations);
    }

    [Fact]
    public void Byte_arrays_round_trip_as_base64()
    {
        Assert.Equal("\"\"", CanonicalJson.Encode(Array.Empty<byte>(), typeof(byte[])));
        Assert.Equal("\"AQL/\"", CanonicalJson.Encode(new byte[] { 1, 2, 255 }, typeof(byte[])));
        Assert.Empty(RoundTrip(Array.Empty<byte>()));
        Gen.Byte.Array[0, 40].Sample(b => Assert.Equal(b, RoundTrip(b)), iter: Iterations);
    }

    [Fact]
    public void Integers_of_every_size_round_trip_at_their_limits()
    {
        AssertRoundTrips(sbyte.MinValue);
        AssertRoundTrips(sbyte.MaxValue);
        AssertRoundTrips(byte.MinValue);
        AssertRoundTrips(byte.MaxValue);
        AssertRoundTrips(short.MinValue);
        AssertRoundTrips(short.MaxValue);
        AssertRoundTrips(ushort.MinValue);
        AssertRoundTrips(ushort.MaxValue);
        AssertRoundTrips(int.MinValue);
        AssertRoundTrips(int.MaxValue);
        AssertRoundTrips(uint.MinValue);
        AssertRoundTrips(uint.MaxValue);
        AssertRoundTrips(long.MinValue);
        AssertRoundTrips(long.MaxValue);
        AssertRoundTrips(ulong.MinValue);
        AssertRoundTrips(ulong.MaxValue);
        Assert.Equal("-9223372036854775808", CanonicalJson.Encode(long.MinValue, typeof(long)));
        Assert.Equal("18446744073709551615", CanonicalJson.Encode(ulong.MaxValue, typeof(ulong)));
    }

    [Fact]
    public void Random_integers_round_trip()
    {
        Gen.Int.Sample(v => Assert.Equal(v, RoundTrip(v)), iter: Iterations);
        Gen.Long.Sample(v => Assert.Equal(v, RoundTrip(v)), iter: Iterations);
        Gen.ULong.Sample(v => Assert.Equal(v, RoundTrip(v)), iter: Iterations);
        Gen.Short.Sample(v => Assert.Equal(v, RoundTrip(v)), iter: Iterations);
        Gen.SByte.Sample(v => Assert.Equal(v, RoundTrip(v)), iter: Iterations);
    }

    [Fact]
    public void Decimals_round_trip_keeping_their_scale()
    {
        Assert.Equal("\"1.50\"", CanonicalJson.Encode(1.50m, typeof(decimal)));
        Assert.Equal("1.50", RoundTrip(1.50m).ToString(System.Globalization.CultureInfo.InvariantCulture));
        AssertRoundTrips(decimal.MaxValue);
        AssertRoundTrips(decimal.MinValue);
        AssertRoundTrips(0m);
        AssertRoundTrips(0.0000000000000000000000000001m);
        AssertRoundTrips(-123456789.987654321m);
    }

    [Fact]
    public void Random_decimals_round_trip_with_the_same_scale()
    {
        Gen.Decimal.Sample(m =>
        {
            var back = RoundTrip(m);
            Assert.Equal(m, back);
            Assert.Equal(m.Scale, back.Scale);
        }, iter: Iterations);
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(double.Epsilon)]
    [InlineData(-double.Epsilon)]
    [InlineData(double.MaxValue)]
    [InlineData(double.MinValue)]
    [InlineData(1e300)]
    [InlineData(123456789.123456789)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    [InlineData(0.0)]
    public void Doubles_round_trip_bit_for_bit(double value)
    {
        Assert.Equal(BitConverter.DoubleToInt64Bits(value), BitConverter.DoubleToInt64Bits(RoundTrip(value)));
    }

    [Fact]
    public void Non_finite_doubles_are_strings()
    {
        Assert.Equal("\"NaN\"", CanonicalJson.Encode(double.NaN, typeof(double)));
        Assert.Equal("\"Infinity\"", CanonicalJson.Encode(double.PositiveInfinity, typeof(double)));
        Assert.Equal("\"-Infinity\"", CanonicalJson.Encode(double.NegativeInfinity, typeof(double)));
        Assert.True(double.IsNaN(RoundTrip(double.NaN)));
        Assert.Equal("-0", CanonicalJson.Encode(-0.0, typeof(double)));
        Assert.True(double.IsNegative(RoundTrip(-0.0)), "-0.0 came back as +0.0");
        Assert.Equal("0.1", CanonicalJson.Encode(0.1, typeof(double)));
    }

    [Fact]
    public void Random_doubles_round_trip_bit_for_bit()
    {
        Gen.Double.Sample(d =>
        {
            var back = RoundTrip(d);
            Assert.True(double.IsNaN(d) ? double.IsNaN(back) : BitConverter.DoubleToInt64Bits(d) == BitConverter.DoubleToInt64Bits(back));
        }, iter: Iterations);
    }

    [Fact]
    public void Floats_round_trip_bit_for_bit()
    {
        foreach (var f in new[] { 0.1f, float.Epsilon, float.MaxValue, float.MinValue, -0.0f, 0f, float.PositiveInfinity, float.NegativeInfinity })
        {
            Assert.Equal(BitConverter.SingleToInt32Bits(f), BitConverter.SingleToInt32Bits(RoundTrip(f)));
        }

        Assert.True(float.IsNaN(RoundTrip(float.NaN)));
        Assert.Equal("0.1", CanonicalJson.Encode(0.1f, typeof(float)));
        Gen.Float.Sample(f =>
        {
            var back = RoundTrip(f);
            Assert.True(float.IsNaN(f) ? float.IsNaN(back) : BitConverter.SingleToInt32Bits(f) == BitConverter.SingleToInt32Bits(back));
        }, iter: Iterations);
    }

    [Fact]
    public void Utc_date_times_round_trip_to_the_tick_as_utc()
    {
        var value = new DateTime(2024, 2, 29, 23, 59, 59, DateTimeKind.Utc).AddTicks(1234567);
        Assert.Equal("\"2024-02-29T23:59:59.1234567Z\"", CanonicalJson.Encode(value, typeof(DateTime)));
        var back = RoundTrip(value);
        Assert.Equal(value.Ticks, back.Ticks);
        Assert.Equal(DateTimeKind.Utc, back.Kind);
        AssertRoundTrips(DateTime.SpecifyKind(DateTime.MinValue, DateTimeKind.Utc));
        AssertRoundTrips(DateTime.SpecifyKind(DateTime.MaxValue, DateTimeKind.Utc));
    }

    [Fact]
    public void Random_date_times_round_trip_to_the_tick()
    {
        Gen.DateTime.Select(d => DateTime.SpecifyKind(d, DateTimeKind.Utc)).Sample(d =>
        {
            var back = RoundTrip(d);
            Assert.Equal(d.Ticks, back.Ticks);
            Assert.Equal(DateTimeKind.Utc, back.Kind);
        }, iter: Iterations);
    }

    [Fact]
    public void A_local_date_time_encodes_as_the_same_instant_in_utc()
    {
        var local = new DateTime(2024, 7, 1, 12, 30, 0, DateTimeKind.Local);
        var text = CanonicalJson.Encode(local, typeof(DateTime));
        Assert.Equal(CanonicalJson.Encode(local.ToUniversalTime(), typeof(DateTime)), text);
        Assert.Equal(local.ToUniversalTime(), (DateTime)CanonicalJson.Decode(text, typeof(DateTime))!);
    }

    [Fact]
    public void An_unspecified_date_time_is_taken_as_utc()
    {
        var unspecified = new DateTime(2024, 7, 1, 12, 30, 0, DateTimeKind.Unspecified);
        Assert.Equal("\"2024-07-01T12:30:00.0000000Z\"", CanonicalJson.Encode(unspecified, typeof(DateTime)));
    }

    [Fact]
    public void Date_time_offsets_round_trip_keeping_their_offset()
    {
        var value = new DateTimeOffset(2024, 1, 2, 3, 4, 5, 678, TimeSpan.FromMinutes(330));
        Assert.Equal("\"2024-01-02T03:04:05.6780000+05:30\"", CanonicalJson.Encode(value, typeof(DateTimeOffset)));
        var back = RoundTrip(value);
        Assert.Equal(value, back);
        Assert.Equal(value.Offset, back.Offset);
        Assert.Equal(value.DateTime, back.DateTime);

        var negative = new DateTimeOffset(1999, 12, 31, 23, 0, 0, TimeSpan.FromHours(-9.5));
        Assert.Equal(negative.Offset, RoundTrip(negative).Offset);

        Gen.DateTimeOffset.Sample(d =>
        {
            var b = RoundTrip(d);
            Assert.Equal(d.Ticks, b.Ticks);
            Assert.Equal(d.Offset, b.Offset);
        }, iter: Iterations);
    }

    [Fact]
    public void Dates_times_and_time_spans_round_trip()
    {
        AssertRoundTrips(DateOnly.MinValue);
        AssertRoundTrips(DateOnly.MaxValue);
        AssertRoundTrips(new DateOnly(2024, 2, 29));
        Assert.Equal("\"2024-02-29\"", CanonicalJson.Encode(new DateOnly(2024, 2, 29), typeof(DateOnly)));

        AssertRoundTrips(TimeOnly.MinValue);
        AssertRoundTrips(TimeOnly.MaxValue);
        Assert.Equal("\"23:59:59.9999999\"", CanonicalJson.Encode(TimeOnly.MaxValue, typeof(TimeOnly)));

        AssertRoundTrips(TimeSpan.Zero);
        AssertRoundTrips(TimeSpan.MaxValue);
        AssertRoundTrips(TimeSpan.MinValue);
        AssertRoundTrips(new TimeSpan(-1, -2, -3, -4, -5));
        AssertRoundTrips(TimeSpan.FromTicks(-1));
        Assert.Equal("\"-1.02:03:04.0050000\"", CanonicalJson.Encode(new TimeSpan(-1, -2, -3, -4, -5), typeof(TimeSpan)));

        Gen.DateOnly.Sample(d => Assert.Equal(d, RoundTrip(d)), iter: Iterations);
        Gen.TimeOnly.Sample(t => Assert.Equal(t, RoundTrip(t)), iter: Iterations);
        Gen.TimeSpan.Sample(t => Assert.Equal(t, RoundTrip(t)), iter: Iterations);
    }

    [Fact]
    public void Enums_round_trip_as_their_underlying_number()
    {
        Assert.Equal("-1", CanonicalJson.Encode(Color.Red, typeof(Color)));
        Assert.Equal("7", CanonicalJson.Encode(Color.Blue, typeof(Color)));
        AssertRoundTrips(Color.Red);
        AssertRoundTrips(Color.Blue);
        AssertRoundTrips((Color)123); // undefined values too
        AssertRoundTrips(Huge.Max);
        Assert.Equal("18446744073709551615", CanonicalJson.Encode(Huge.Max, typeof(Huge)));
    }

    [Fact]
    public void Nullable_values_round_trip_including_null()
    {
        Assert.Equal("null", CanonicalJson.Encode(null, typeof(int?)));
        Assert.Null(CanonicalJson.Decode("null", typeof(int?)));
        Assert.Null(CanonicalJson.Decode("null", typeof(string)));
        Assert.Null(CanonicalJson.Decode("null", typeof(byte[])));
        Assert.Null(CanonicalJson.Decode("null", typeof(Color?)));
        Assert.Equal(5, CanonicalJson.Decode(CanonicalJson.Encode(5, typeof(int?)), typeof(int?)));
        Assert.Equal(Color.Blue, CanonicalJson.Decode(CanonicalJson.Encode(Color.Blue, typeof(Color?)), typeof(Color?)));
        Assert.Equal(1.5m, CanonicalJson.Decode(CanonicalJson.Encode(1.5m, typeof(decimal?)), typeof(decimal?)));
    }
}
