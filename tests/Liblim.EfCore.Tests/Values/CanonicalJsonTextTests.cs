using System.Text.Json;
using CsCheck;
using Liblim.EfCore.Values;

namespace Liblim.EfCore.Tests.Values;

/// <summary>The canonical text itself: deterministic, valid JSON, minimal escaping.</summary>
public class CanonicalJsonTextTests
{
    [Fact]
    public void Encode_is_deterministic_and_equal_values_encode_equally()
    {
        Gen.Int.Sample(i => CanonicalJson.Encode(i, typeof(int)) == CanonicalJson.Encode(int.Parse(i.ToString(System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture), typeof(int)), iter: 300);
        Gen.String.Sample(s => CanonicalJson.Encode(s, typeof(string)) == CanonicalJson.Encode(new string(s.AsSpan()), typeof(string)), iter: 300);
        Gen.Double.Sample(d => CanonicalJson.Encode(d, typeof(double)) == CanonicalJson.Encode(BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(d)), typeof(double)), iter: 300);
        Gen.Guid.Sample(g => CanonicalJson.Encode(g, typeof(Guid)) == CanonicalJson.Encode(new Guid(g.ToByteArray()), typeof(Guid)), iter: 300);
        Gen.Byte.Array[0, 20].Sample(b => CanonicalJson.Encode(b, typeof(byte[])) == CanonicalJson.Encode(b.ToArray(), typeof(byte[])), iter: 300);
    }

    /// <summary>
    /// The texts of integers, decimals, Guids, dates and times, formatted in place, are the formats docs/protocol.md gives,
    /// in quotes where it quotes them.
    /// </summary>
    [Fact]
    public void Values_formatted_in_place_are_the_texts_the_specification_gives()
    {
        static void Check<T>(Gen<T> gen, Func<T, string> spec)
            => gen.Sample(v => Assert.Equal(spec(v), CanonicalJson.Encode(v, typeof(T))), iter: 500);
        static string Quoted(string s) => $"\"{s}\"";
        var invariant = System.Globalization.CultureInfo.InvariantCulture;

        Check(Gen.SByte, v => v.ToString(invariant));
        Check(Gen.Short, v => v.ToString(invariant));
        Check(Gen.UShort, v => v.ToString(invariant));
        Check(Gen.Int, v => v.ToString(invariant));
        Check(Gen.UInt, v => v.ToString(invariant));
        Check(Gen.Long, v => v.ToString(invariant));
        Check(Gen.ULong, v => v.ToString(invariant));
        Check(Gen.Decimal, v => Quoted(v.ToString(invariant)));
        Check(Gen.Guid, v => Quoted(v.ToString("D")));
        Check(Gen.DateTime, v => Quoted((v.Kind == DateTimeKind.Local ? v.ToUniversalTime() : v).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", invariant)));
        Check(Gen.DateTimeOffset, v => Quoted(v.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffffzzz", invariant)));
        Check(Gen.DateOnly, v => Quoted(v.ToString("yyyy-MM-dd", invariant)));
        Check(Gen.TimeOnly, v => Quoted(v.ToString("HH:mm:ss.fffffff", invariant)));
        Check(Gen.TimeSpan, v => Quoted(v.ToString("c", invariant)));
    }

    /// <summary>A one-value key's text is the value's text in brackets, whatever the value.</summary>
    [Fact]
    public void A_one_value_key_is_its_value_in_brackets()
    {
        static void Check<T>(Gen<T> gen)
            => gen.Sample(v => Assert.Equal($"[{CanonicalJson.Encode(v, typeof(T))}]", CanonicalJson.EncodeKey(v, typeof(T))), iter: 300);

        Check(Gen.Int);
        Check(Gen.Long);
        Check(Gen.Guid);
        Check(Gen.String);
        Check(Gen.DateTime);
        Check(Gen.Decimal);
        Check(Gen.Double);
        Check(Gen.Int.Select(i => (DayOfWeek)i));
        Check(Gen.Int.Select(i => i % 4 == 0 ? null : (int?)i));
    }

    /// <summary>A value appended to a text (a deleted row's kept values) is written as its text alone, whatever the value.</summary>
    [Fact]
    public void A_value_appended_is_its_text()
    {
        static void Check<T>(Gen<T> gen)
            => gen.Sample(v => Assert.Equal("{" + CanonicalJson.Encode(v, typeof(T)), CanonicalJson.Append(new System.Text.StringBuilder("{"), v, typeof(T)).ToString()), iter: 300);

        Check(Gen.Int);
        Check(Gen.ULong);
        Check(Gen.Guid);
        Check(Gen.String);
        Check(Gen.Char);
        Check(Gen.Bool);
        Check(Gen.Byte.Array);
        Check(Gen.DateTime);
        Check(Gen.DateTimeOffset);
        Check(Gen.TimeSpan);
        Check(Gen.Decimal);
        Check(Gen.Double);
        Check(Gen.Float);
        Check(Gen.Int.Select(i => (DayOfWeek)i));
        Check(Gen.Int.Select(i => i % 4 == 0 ? null : (int?)i));
    }

    [Fact]
    public void Decimals_keep_their_scale_so_equal_values_of_different_scale_encode_differently()
    {
        Assert.Equal(1.5m, 1.50m);
        Assert.Equal("\"1.5\"", CanonicalJson.Encode(1.5m, typeof(decimal)));
        Assert.Equal("\"1.50\"", CanonicalJson.Encode(1.50m, typeof(decimal)));
    }

    [Fact]
    public void The_same_instant_in_any_kind_encodes_to_one_date_time_text()
    {
        var utc = new DateTime(2024, 3, 1, 8, 0, 0, DateTimeKind.Utc);
        Assert.Equal(CanonicalJson.Encode(utc, typeof(DateTime)), CanonicalJson.Encode(utc.ToLocalTime(), typeof(DateTime)));
        Assert.Equal(CanonicalJson.Encode(utc, typeof(DateTime)), CanonicalJson.Encode(DateTime.SpecifyKind(utc, DateTimeKind.Unspecified), typeof(DateTime)));
    }

    [Fact]
    public void Nullable_and_plain_types_encode_a_value_equally()
    {
        Assert.Equal(CanonicalJson.Encode(42, typeof(int)), CanonicalJson.Encode(42, typeof(int?)));
        Assert.Equal(CanonicalJson.Encode(1.25, typeof(double)), CanonicalJson.Encode(1.25, typeof(double?)));
    }

    [Fact]
    public void Quote_produces_json_that_parses_back_to_the_same_string()
    {
        Gen.String.Sample(s =>
        {
            var quoted = CanonicalJson.Quote(s);
            using var doc = JsonDocument.Parse(quoted);
            Assert.Equal(JsonValueKind.String, doc.RootElement.ValueKind);
            Assert.Equal(s, doc.RootElement.GetString());
            Assert.Equal(s, JsonSerializer.Deserialize<string>(quoted));
        }, iter: 500);
    }

    [Fact]
    public void Quote_escapes_only_what_json_requires()
    {
        Assert.Equal("\"\"", CanonicalJson.Quote(""));
        Assert.Equal("\"a\\\"b\\\\c/d\"", CanonicalJson.Quote("a\"b\\c/d"));
        Assert.Equal("\"\\n\\r\\t\\b\\f\"", CanonicalJson.Quote("\n\r\t\b\f"));
        Assert.Equal("\"\\u0000\\u001f\"", CanonicalJson.Quote("\u0000\u001f"));
        Assert.Equal("\"é日😀<>&'\u007f\"", CanonicalJson.Quote("é日😀<>&'\u007f"));
    }

    [Fact]
    public void Quote_escapes_lone_surrogates_and_keeps_pairs()
    {
        Assert.Equal("\"\\ud800\"", CanonicalJson.Quote("\ud800"));
        Assert.Equal("\"a\\udc00b\"", CanonicalJson.Quote("a\udc00b"));
        Assert.Equal("\"\\ude00\\ud83d\"", CanonicalJson.Quote("\ude00\ud83d"));
        Assert.Equal("\"\ud83d\ude00\"", CanonicalJson.Quote("\ud83d\ude00"));
    }

    [Fact]
    public void Decode_accepts_other_json_of_the_same_meaning()
    {
        Assert.Equal("é", CanonicalJson.Decode("\"\\u00e9\"", typeof(string)));
        Assert.Equal(5, CanonicalJson.Decode(" 5 ", typeof(int)));
        Assert.Equal(100.0, CanonicalJson.Decode("1e2", typeof(double)));
        Assert.Equal(1.5m, CanonicalJson.Decode("\"1.5e0\"", typeof(decimal)));
    }
}
