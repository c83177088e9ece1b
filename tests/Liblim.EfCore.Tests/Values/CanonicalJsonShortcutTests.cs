using System.Text.Json;
using Liblim.EfCore.Values;

namespace Liblim.EfCore.Tests.Values;

/// <summary>
/// Plain strings, integer literals and booleans are decoded without parsing a JSON document: for any text, that
/// shortcut must give what the full parser gives, and refuse what it refuses.
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
    [InlineData("1000000000000000", typeof(double), false)]
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
    [InlineData("tru", typeof(bool))]
    [InlineData("1", typeof(bool))]
    public void Refused_text_is_refused_with_a_format_error(string json, Type type)
        => Assert.ThrowsAny<FormatException>(() => CanonicalJson.Decode(json, type));

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
