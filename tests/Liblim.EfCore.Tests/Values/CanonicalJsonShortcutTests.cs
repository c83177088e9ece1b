using System.Text.Json;
using CsCheck;
using Liblim.EfCore.Values;

namespace Liblim.EfCore.Tests.Values;

/// <summary>
/// Plain strings, integer and fraction literals, booleans and canonical times are decoded without parsing a JSON
/// document: for any text, that shortcut must give what the full parser gives, and refuse what it refuses.
/// </summary>
public class CanonicalJsonShortcutTests
{
    [Theory]
    [InlineData("\"plain\"", typeof(string))]
    [InlineData("\"\"", typeof(string))]
    [InlineData("\"with \\\"escape\\\"\"", typeof(string))]
    [InlineData("\"3f2a9c1e-0000-4000-8000-00000000000a\"", typeof(Guid))]
    [InlineData("\"3f2a9c1e-0000-4000-8000-00000000000a\"", typeof(Guid?))]
    [InlineData("\"2026-11-24T23:06:46.1234567Z\"", typeof(DateTime))]
    [InlineData("0", typeof(int))]
    [InlineData("-0", typeof(int))]
    [InlineData("-2147483648", typeof(int))]
    [InlineData("123456789012345678", typeof(long))]
    [InlineData("-0", typeof(double))]
    [InlineData("42", typeof(double))]
    [InlineData("3.25", typeof(double))]
    [InlineData("-0.5", typeof(double))]
    [InlineData("1E-07", typeof(double))]
    [InlineData("1.5e+300", typeof(double))]
    [InlineData("0.30000000000000004", typeof(double?))]
    [InlineData("\"2024-02-29T00:00:00.0000000Z\"", typeof(DateTime))]
    [InlineData("\"0001-01-01T00:00:00.0000000Z\"", typeof(DateTime))]
    [InlineData("\"9999-12-31T23:59:59.9999999Z\"", typeof(DateTime?))]
    [InlineData("true", typeof(bool))]
    [InlineData("false", typeof(bool?))]
    public void Accepted_text_decodes_as_the_full_parser_decodes_it(string json, Type type)
    {
        using var doc = JsonDocument.Parse(json);
        var full = CanonicalJson.Decode(doc.RootElement, type);
        var decoded = CanonicalJson.Decode(json, type);
        Assert.Equal(full, decoded);
        Assert.Equal(CanonicalJson.Encode(full, type), CanonicalJson.Encode(decoded, type));
    }

    [Theory]
    [InlineData("\"plain\"", typeof(string), true)]
    [InlineData("\"with \\\"escape\\\"\"", typeof(string), false)]
    [InlineData("\"3f2a9c1e-0000-4000-8000-00000000000a\"", typeof(Guid), true)]
    [InlineData("\"3F2A9C1E-0000-4000-8000-00000000000A\"", typeof(Guid), false)]
    [InlineData("\"2026-11-24T23:06:46.1234567Z\"", typeof(DateTime), true)]
    [InlineData("42", typeof(long), true)]
    [InlineData("-0", typeof(long), false)]
    [InlineData("-0", typeof(double), false)]
    [InlineData("1000000000000000", typeof(double), true)]
    [InlineData("9007199254740992", typeof(double), false)]
    [InlineData("3.25", typeof(double), true)]
    [InlineData("3.250", typeof(double), false)]
    [InlineData("1E-07", typeof(double), true)]
    [InlineData("1e-7", typeof(double), false)]
    [InlineData("true", typeof(bool), true)]
    [InlineData("null", typeof(string), false)]
    public void Text_said_to_be_canonical_is_what_encoding_its_value_gives(string json, Type type, bool expected)
    {
        var value = CanonicalJson.Decode(json, type, out var canonical);

        Assert.Equal(expected, canonical);
        if (canonical)
        {
            Assert.Equal(json, CanonicalJson.Encode(value, type));
        }
    }

    [Theory]
    [InlineData("01", typeof(int))]
    [InlineData("2147483648", typeof(int))]
    [InlineData("\"12\"", typeof(int))]
    [InlineData("12", typeof(string))]
    [InlineData("\"not a guid\"", typeof(Guid))]
    [InlineData("\"2026-11-24\"", typeof(DateTime))]
    [InlineData("\"tab\tinside\"", typeof(string))]
    [InlineData("\"2023-02-29T00:00:00.0000000Z\"", typeof(DateTime))]
    [InlineData("\"2026-13-01T00:00:00.0000000Z\"", typeof(DateTime))]
    [InlineData("\"2026-11-24T24:00:00.0000000Z\"", typeof(DateTime))]
    [InlineData("\"2026-11-24T23:06:46.123456Z\"", typeof(DateTime))]
    [InlineData("\"2026-11-24T23:06:46.1234567+01:00\"", typeof(DateTime))]
    [InlineData("1.", typeof(double))]
    [InlineData(".5", typeof(double))]
    [InlineData("01.5", typeof(double))]
    [InlineData("1e", typeof(double))]
    [InlineData("1.5x", typeof(double))]
    [InlineData("tru", typeof(bool))]
    [InlineData("1", typeof(bool))]
    public void Refused_text_is_refused_with_a_format_error(string json, Type type)
        => Assert.ThrowsAny<FormatException>(() => CanonicalJson.Decode(json, type));

    [Fact]
    public void Any_double_or_time_comes_back_from_its_canonical_text_unchanged_and_said_canonical()
    {
        Gen.Double.Where(double.IsFinite).Sample(d =>
        {
            var json = CanonicalJson.Encode(d, typeof(double));
            Assert.Equal(d, (double)CanonicalJson.Decode(json, typeof(double), out var canonical)!);
            // A fraction or an exponent is read by the shortcut; an integer text may be left to the full parser (negative
            // zero, or beyond 2^53), which does not say whether it is canonical.
            Assert.True(canonical || (!json.Contains('.') && !json.Contains('E')), json);
        });
        Gen.Long[DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks].Sample(ticks =>
        {
            var time = new DateTime(ticks, DateTimeKind.Utc);
            var json = CanonicalJson.Encode(time, typeof(DateTime));
            Assert.Equal(time, (DateTime)CanonicalJson.Decode(json, typeof(DateTime), out var canonical)!);
            Assert.True(canonical);
        });
    }

    [Theory]
    [InlineData("[\"a\"]", "\"a\"")]
    [InlineData("[7]", "7")]
    [InlineData("[ \"a\" ]", "\"a\"")]
    [InlineData("[\"a\\\"b\"]", "\"a\\\"b\"")]
    public void A_one_column_key_splits_into_its_raw_value(string key, string element)
        => Assert.Equal([element], CanonicalJson.DecodeKeyElements(key, 1));

    [Theory]
    [InlineData("[\"a\",\"b\"]")]
    [InlineData("[1,2]")]
    [InlineData("[]")]
    public void A_key_of_another_length_is_refused(string key)
        => Assert.Throws<FormatException>(() => CanonicalJson.DecodeKeyElements(key, 1));
}
