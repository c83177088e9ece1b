namespace Liblim.EfCore.Values;

/// <summary>The ASCII forms Liblim's texts are checked against: lowercase hex (timestamps, node ids, nonces, proofs) and decimal digits.</summary>
internal static class AsciiText
{
    /// <summary>Whether every character is 0-9 or a-f.</summary>
    public static bool IsLowerHex(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c) && c is not (>= 'a' and <= 'f'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether every character is 0-9.</summary>
    public static bool IsDigits(ReadOnlySpan<char> text) => !text.ContainsAnyExceptInRange('0', '9');
}
