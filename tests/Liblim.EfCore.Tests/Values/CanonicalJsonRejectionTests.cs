using Liblim.EfCore.Values;

namespace Liblim.EfCore.Tests.Values;

/// <summary>Text that is not a value of the asked type is a FormatException, never a wrong value.</summary>
public class CanonicalJsonRejectionTests
{
    private enum Small : byte
    {
        One = 1,
    }

    public static TheoryData<string, Type> NotAValueOfTheType => new()
    {
        { "\"abc\"", typeof(int) },
        { "1.5", typeof(int) },
        { "null", typeof(int) },
        { "null", typeof(Guid) },
        { "null", typeof(DateTime) },
        { "300", typeof(byte) },
        { "-1", typeof(byte) },
        { "-1", typeof(uint) },
        { "128", typeof(sbyte) },
        { "2147483648", typeof(int) },
        { "18446744073709551616", typeof(ulong) },
        { "1", typeof(string) },
        { "true", typeof(int) },
        { "1", typeof(bool) },
        { "\"true\"", typeof(bool) },
        { "\"ab\"", typeof(char) },
        { "\"\"", typeof(char) },
        { "\"not-a-guid\"", typeof(Guid) },
        { "\"@@@\"", typeof(byte[]) },
        { "1", typeof(decimal) },
        { "\"x\"", typeof(decimal) },
        { "\"99999999999999999999999999999999\"", typeof(decimal) },
        { "\"nan\"", typeof(double) },
        { "\"1.5\"", typeof(double) },
        { "\"2024-01-01\"", typeof(DateTime) },
        { "\"2024-01-01T00:00:00Z\"", typeof(DateTime) },
        { "\"2024-01-01T00:00:00.0000000\"", typeof(DateTimeOffset) },
        { "\"2024-13-01\"", typeof(DateOnly) },
        { "\"25:00:00.0000000\"", typeof(TimeOnly) },
        { "\"1 day\"", typeof(TimeSpan) },
        { "\"One\"", typeof(Small) },
        { "256", typeof(Small) },
        { "[1]", typeof(int) },
        { "{}", typeof(string) },
        { "", typeof(int) },
        { "nul", typeof(int?) },
        { "'a'", typeof(string) },
        { "1 2", typeof(int) },
        { "\"unterminated", typeof(string) },
    };

    [Theory]
    [MemberData(nameof(NotAValueOfTheType))]
    public void Decode_of_text_that_is_not_a_value_of_the_type_throws_FormatException(string json, Type type)
    {
        Assert.Throws<FormatException>(() => CanonicalJson.Decode(json, type));
    }

    [Fact]
    public void Encode_of_an_unsupported_value_throws_NotSupportedException()
    {
        Assert.Throws<NotSupportedException>(() => CanonicalJson.Encode(new object(), typeof(object)));
        Assert.Throws<NotSupportedException>(() => CanonicalJson.Encode(new List<int>(), typeof(List<int>)));
    }

    [Theory]
    [InlineData(typeof(string))]
    [InlineData(typeof(bool))]
    [InlineData(typeof(char))]
    [InlineData(typeof(Guid))]
    [InlineData(typeof(byte[]))]
    [InlineData(typeof(sbyte))]
    [InlineData(typeof(byte))]
    [InlineData(typeof(short))]
    [InlineData(typeof(ushort))]
    [InlineData(typeof(int))]
    [InlineData(typeof(uint))]
    [InlineData(typeof(long))]
    [InlineData(typeof(ulong))]
    [InlineData(typeof(decimal))]
    [InlineData(typeof(double))]
    [InlineData(typeof(float))]
    [InlineData(typeof(DateTime))]
    [InlineData(typeof(DateTimeOffset))]
    [InlineData(typeof(DateOnly))]
    [InlineData(typeof(TimeOnly))]
    [InlineData(typeof(TimeSpan))]
    [InlineData(typeof(int?))]
    [InlineData(typeof(Guid?))]
    [InlineData(typeof(DateTimeKind))]
    [InlineData(typeof(DateTimeKind?))]
    public void Supports_the_replicable_types(Type type) => Assert.True(CanonicalJson.Supports(type));

    [Theory]
    [InlineData(typeof(object))]
    [InlineData(typeof(List<int>))]
    [InlineData(typeof(int[]))]
    [InlineData(typeof(Uri))]
    [InlineData(typeof(Half))]
    [InlineData(typeof(Int128))]
    [InlineData(typeof(nint))]
    [InlineData(typeof(Dictionary<string, string>))]
    [InlineData(typeof(ValueTuple<int, int>))]
    public void Does_not_support_other_types(Type type) => Assert.False(CanonicalJson.Supports(type));

    [Fact]
    public void DecodeKeyElements_splits_a_key_into_the_raw_text_of_its_values()
    {
        Assert.Equal(["1", "\"a\""], CanonicalJson.DecodeKeyElements("[1,\"a\"]", 2));
        Assert.Equal(["\"0123abcd-0000-0000-0000-0000000000ff\""], CanonicalJson.DecodeKeyElements("[\"0123abcd-0000-0000-0000-0000000000ff\"]", 1));
        Assert.Equal(["-5", "null", "\"x,y\""], CanonicalJson.DecodeKeyElements("[-5,null,\"x,y\"]", 3));
        Assert.Empty(CanonicalJson.DecodeKeyElements("[]", 0));
    }

    [Theory]
    [InlineData("[1,\"a\"]", 1)]
    [InlineData("[1,\"a\"]", 3)]
    [InlineData("[]", 1)]
    [InlineData("1", 1)]
    [InlineData("\"a\"", 1)]
    [InlineData("{\"a\":1}", 1)]
    [InlineData("null", 1)]
    [InlineData("[1,", 2)]
    [InlineData("", 0)]
    public void DecodeKeyElements_rejects_wrong_arity_and_non_arrays(string key, int count)
    {
        Assert.Throws<FormatException>(() => CanonicalJson.DecodeKeyElements(key, count));
    }
}
