using System.Text.Json;
using Liblim.EfCore.Storage.Internal;

namespace Liblim.EfCore.Tests.Storage;

/// <summary>Column clocks read without a JSON document give what the JSON parser gives, and bad text is refused.</summary>
public class ColumnClocksJsonTests
{
    [Theory]
    [InlineData("{\"Title\":\"18c2a4f1b2c3000.2\"}")]
    [InlineData("{\"a\":\"1.1\",\"b\":\"2.1\",\"c\":\"3.2\"}")]
    [InlineData("{}")]
    [InlineData("{\"quo\\\"te\":\"1.1\"}")]
    [InlineData("{ \"spaced\" : \"1.1\" }")]
    [InlineData("{\"é\":\"1.1\",\"日本\":\"2.2\"}")]
    public void Members_are_those_the_json_parser_reads_in_order(string json)
    {
        using var document = JsonDocument.Parse(json);
        var expected = document.RootElement.EnumerateObject().Select(p => KeyValuePair.Create(p.Name, p.Value.GetString()!)).ToList();

        Assert.Equal(expected, ColumnClocksJson.Read(json));
    }

    [Theory]
    [InlineData("{\"a\":\"1.1\",\"b\":\"2.1\"}")]
    [InlineData("{\"quo\\\"te\":\"1.1\"}")]
    public void Written_members_read_back(string json)
        => Assert.Equal(json, ColumnClocksJson.Write(ColumnClocksJson.Read(json)));

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("{\"a\":1}")]
    [InlineData("{\"a\":null}")]
    [InlineData("{\"a\":\"1.1\"")]
    [InlineData("{\"a\":\"1.1\",}")]
    [InlineData("{\"a\"\"1.1\"}")]
    public void Text_that_is_not_an_object_of_strings_is_refused(string json)
        => Assert.Throws<FormatException>(() => ColumnClocksJson.Read(json));
}
