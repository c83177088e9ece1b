using CsCheck;

namespace Liblim.EfCore.Tests.Protocol;

/// <summary>Generators of text that stresses the wire format: characters the protocol must escape, and unicode.</summary>
internal static class WireGen
{
    /// <summary>Characters with a meaning on the wire, escapes' own '%', controls, DEL, non-ASCII and JSON specials.</summary>
    private const string Special = ":/% \n\r\t\0\u001f\u007f\u0085\u2028\"\\[],{}éØ日\ufeff";

    private static readonly Gen<string> AnyBmpChar = Gen.Frequency(
        (3, (IGen<string>)Gen.Char[Special].Select(c => c.ToString())),
        (3, Gen.Char['a', 'z'].Select(c => c.ToString())),
        (1, Gen.Char['\0', '\ud7ff'].Select(c => c.ToString())),
        (1, Gen.Char['\ue000', '\uffff'].Select(c => c.ToString())),
        (1, Gen.Int[0x10000, 0x10FFFF].Select(char.ConvertFromUtf32)));

    /// <summary>Well-formed UTF-16 text (no lone surrogates), as table names and canonical keys always are.</summary>
    public static Gen<string> Text(int minChars, int maxChars)
        => AnyBmpChar.Array[minChars, maxChars].Select(parts => string.Concat(parts));

    /// <summary>Any UTF-16 text, lone surrogates included.</summary>
    public static readonly Gen<string> AnyText = Gen.Frequency(
        (3, (IGen<string>)Text(1, 16)),
        (1, Gen.String.Where(s => s.Length > 0)));
}
