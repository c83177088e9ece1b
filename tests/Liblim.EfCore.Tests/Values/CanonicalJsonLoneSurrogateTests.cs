using CsCheck;
using Liblim.EfCore.Values;

namespace Liblim.EfCore.Tests.Values;

/// <summary>
/// Strings and chars holding a lone (unpaired) UTF-16 surrogate. Quote writes them as \uXXXX escapes, which is
/// valid JSON that System.Text.Json's GetString() refuses to unescape; Decode reads such escapes itself, so
/// a .NET string that can be stored can also be replicated.
/// </summary>
public class CanonicalJsonLoneSurrogateTests
{
    private static T RoundTrip<T>(T value)
    {
        var text = CanonicalJson.Encode(value, typeof(T));
        return (T)CanonicalJson.Decode(text, typeof(T))!;
    }

    // Not [InlineData]: xunit's serialization of theory data replaces lone surrogates with U+FFFD.
    [Fact]
    public void Strings_with_a_lone_surrogate_round_trip()
    {
        foreach (var value in new[] { "\ud800", "\udfff", "a\ud83d", "\ude00b", "\ude00\ud83d" })
        {
            Assert.Equal(value, RoundTrip(value));
        }
    }

    [Fact]
    public void Lone_surrogate_chars_round_trip()
    {
        Assert.Equal('\ud800', RoundTrip('\ud800'));
        Assert.Equal('\udfff', RoundTrip('\udfff'));
    }

    [Fact]
    public void Strings_of_any_utf16_code_units_round_trip()
    {
        Gen.Char['\0', '\uffff'].Array[0, 12].Select(cs => new string(cs))
            .Sample(s => Assert.Equal(s, RoundTrip(s)), iter: 500);
    }

    [Fact]
    public void Quote_writes_a_lone_surrogate_as_an_escape_that_is_valid_json()
    {
        var quoted = CanonicalJson.Quote("a\ud800");
        Assert.Equal("\"a\\ud800\"", quoted);
        using var doc = System.Text.Json.JsonDocument.Parse(quoted);
        Assert.Equal(System.Text.Json.JsonValueKind.String, doc.RootElement.ValueKind);
    }
}
