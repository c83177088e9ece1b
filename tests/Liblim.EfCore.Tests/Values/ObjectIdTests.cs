using Liblim.EfCore.Values;
using CsCheck;
using Liblim.EfCore.Tests.Protocol;

namespace Liblim.EfCore.Tests.Values;

/// <summary>A row id names any table and key, and can never break the line it is on or end before its colon.</summary>
public class ObjectIdTests
{
    private const int Iterations = 2000;

    [Fact]
    public void Any_table_and_key_decode_to_themselves()
    {
        Gen.Select(WireGen.AnyText, WireGen.AnyText).Sample((table, key) =>
        {
            var oid = ObjectId.Encode(table, key);

            Assert.Equal((table, key), ObjectId.Decode(oid));
        }, iter: Iterations);
    }

    [Fact]
    public void An_encoded_id_holds_no_colon_space_line_break_or_control_character_and_one_slash()
    {
        Gen.Select(WireGen.AnyText, WireGen.AnyText).Sample((table, key) =>
        {
            var oid = ObjectId.Encode(table, key);

            Assert.False(oid.AsSpan().ContainsAny(": \n\r"), $"'{oid}' holds a character that ends an id or a line.");
            Assert.DoesNotContain(oid, c => c < ' ' || c == '\u007f');
            Assert.Equal(1, oid.Count(c => c == '/'));
        }, iter: Iterations);
    }

    [Fact]
    public void Text_without_characters_to_escape_is_left_as_it_is()
    {
        WireGen.Text(1, 16).Select(s => new string(s.Where(c => c is not (':' or '/' or '%' or ' ' or < ' ' or '\u007f')).ToArray()))
            .Where(s => s.Length > 0)
            .Sample(s => Assert.Equal(s + "/" + s, ObjectId.Encode(s, s)), iter: Iterations);
    }

    [Theory]
    [InlineData("Items", "[42]", "Items/[42]")]
    [InlineData("Shapes", "[\"sq:1\",3]", "Shapes/[\"sq%3A1\",3]")]
    [InlineData("dbo.Items", "[\"a/b c\"]", "dbo.Items/[\"a%2Fb%20c\"]")]
    [InlineData("100%", "[\"%\"]", "100%25/[\"%25\"]")]
    [InlineData("T\u0001\u007f", "[\"\n\r\"]", "T%01%7F/[\"%0A%0D\"]")]
    [InlineData("Ünïcödé 日本", "[\"😀\"]", "Ünïcödé%20日本/[\"😀\"]")]
    public void Encoding_escapes_only_the_documented_characters_as_uppercase_hex(string table, string key, string expected)
    {
        Assert.Equal(expected, ObjectId.Encode(table, key));
        Assert.Equal((table, key), ObjectId.Decode(expected));
    }

    [Theory]
    [InlineData("T[1]")]
    [InlineData("/[1]")]
    [InlineData("T/")]
    [InlineData("T/a/b")]
    [InlineData("T/[1]%")]
    [InlineData("T/[1]%2")]
    [InlineData("T/[%G1]")]
    [InlineData("T/[%41]")]
    [InlineData("T/[:]")]
    [InlineData("T/[ ]")]
    [InlineData("T/[\n]")]
    public void Decoding_a_malformed_id_throws_a_format_exception(string oid)
    {
        Assert.Throws<FormatException>(() => ObjectId.Decode(oid));
    }
}
