using System.Text;
using CsCheck;
using Liblim.EfCore.Storage.Internal;
using Liblim.EfCore.Values;

namespace Liblim.EfCore.Tests.Storage;

/// <summary>The stored bytes of a key: 17 for a single Guid, UTF-8 otherwise; one-to-one with the key text.</summary>
public class RowKeyBytesTests
{
    private const string GuidText = "3f2a5b6c-1d2e-4f30-8a9b-0c1d2e3f4a5b";

    [Fact]
    public void A_single_guid_key_is_its_marker_and_sixteen_bytes()
    {
        var bytes = RowKeyBytes.Encode($"[\"{GuidText}\"]");

        Assert.Equal(17, bytes.Length);
        Assert.Equal(RowKeyBytes.GuidMarker, bytes[0]);
        Assert.Equal(Guid.Parse(GuidText).ToByteArray(bigEndian: true), bytes[1..]);
        Assert.Equal($"[\"{GuidText}\"]", RowKeyBytes.Decode(bytes));
    }

    [Theory]
    [InlineData("[42]")]
    [InlineData("[-7]")]
    [InlineData("[9007199254740993]")]
    [InlineData("[\"abc\"]")]
    [InlineData("[\"\"]")]
    [InlineData("[\"é \\\"quoted\\\" \\u0000 😀\"]")]
    [InlineData("[1,\"x\"]")]
    [InlineData("[\"3f2a5b6c-1d2e-4f30-8a9b-0c1d2e3f4a5b\",\"3f2a5b6c-1d2e-4f30-8a9b-0c1d2e3f4a5c\"]")]
    [InlineData("[\"3F2A5B6C-1D2E-4F30-8A9B-0C1D2E3F4A5B\"]")] // not the canonical (lowercase) form: kept as text
    [InlineData("[\"3f2a5b6c1d2e4f308a9b0c1d2e3f4a5b\"]")] // "N" format: a string, not a Guid key
    [InlineData("[\"{3f2a5b6c-1d2e-4f30-8a9b-0c1d2e3f4a5b}\"]")]
    [InlineData("[\"3f2a5b6c-1d2e-4f30-8a9b-0c1d2e3f4a5\"]")]
    public void Every_other_key_is_its_utf8_and_comes_back_the_same(string key)
    {
        var bytes = RowKeyBytes.Encode(key);

        Assert.Equal(Encoding.UTF8.GetBytes(key), bytes);
        Assert.NotEqual(RowKeyBytes.GuidMarker, bytes[0]);
        Assert.Equal(key, RowKeyBytes.Decode(bytes));
    }

    /// <summary>Short texts over a few characters, so that two of them are sometimes equal (no surrogates: keys are Unicode).</summary>
    private static readonly Gen<string> Text = Gen.String["ab0f-\"\\é[],ÿ\u0000"];

    /// <summary>Canonical keys of every kind: a Guid, an integer, a text, a composite; and texts that look like a Guid key but are not one.</summary>
    private static readonly Gen<string> Keys = Gen.OneOf(
        Gen.Guid.Select(g => $"[\"{g}\"]"),
        Gen.Guid.Select(g => $"[\"{g.ToString().ToUpperInvariant()}\"]"),
        Gen.Int.Select(i => $"[{i}]"),
        Gen.Long.Select(l => $"[{l}]"),
        Text.Select(s => $"[{CanonicalJson.Quote(s)}]"),
        Gen.Select(Gen.Int, Gen.Guid, (i, g) => $"[{i},\"{g}\"]"),
        Text);

    [Fact]
    public void Random_keys_of_every_kind_come_back_the_same()
        => Keys.Sample(key => Assert.Equal(key, RowKeyBytes.Decode(RowKeyBytes.Encode(key))));

    [Fact]
    public void Distinct_keys_never_have_the_same_bytes()
    {
        var guid = Guid.Parse(GuidText);
        string[] keys =
        [
            $"[\"{guid}\"]", $"[\"{guid.ToString().ToUpperInvariant()}\"]", $"[\"{guid:N}\"]", $"[\"{guid:B}\"]",
            "[1]", "[\"1\"]", "[1,1]", "[\"\"]", "[]", "", "[\"\\u00ff\"]", "[\"ÿ\"]",
            "[\"" + new Guid(Enumerable.Repeat((byte)0xFF, 16).ToArray()) + "\"]", $"[\"{Guid.Empty}\"]",
        ];

        var encoded = keys.Select(k => Convert.ToHexString(RowKeyBytes.Encode(k))).ToList();

        Assert.Equal(keys.Length, encoded.Distinct().Count());
        Gen.Select(Keys, Keys).Sample((a, b) =>
            Assert.Equal(a == b, RowKeyBytes.Encode(a).AsSpan().SequenceEqual(RowKeyBytes.Encode(b))));
        Gen.Select(Text, Text).Sample((a, b) =>
            Assert.Equal(a == b, RowKeyBytes.Encode(a).AsSpan().SequenceEqual(RowKeyBytes.Encode(b))));
    }

    [Fact]
    public void A_key_that_is_not_unicode_is_refused()
        => Assert.Throws<FormatException>(() => RowKeyBytes.Encode("[\"\ud800\"]"));

    [Fact]
    public void Damaged_bytes_are_refused()
    {
        Assert.Throws<FormatException>(() => RowKeyBytes.Decode([RowKeyBytes.GuidMarker, 1, 2, 3]));
        Assert.Throws<FormatException>(() => RowKeyBytes.Decode([(byte)'[', 0xC3, (byte)']']));
    }
}
