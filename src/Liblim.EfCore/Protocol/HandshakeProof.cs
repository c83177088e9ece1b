using System.Security.Cryptography;
using System.Text;

namespace Liblim.EfCore.Protocol;

/// <summary>
/// The mutual challenge-response of the greeting. Each side sends a fresh random nonce; each proves it knows
/// the shared secret with HMAC-SHA256(secret, "liblim/1\n" role "\n" client-node "\n" client-nonce "\n"
/// server-node "\n" server-nonce), role being "client" or "server" so that one side's proof can never be
/// replayed as the other's. The secret itself never crosses the wire.
/// </summary>
internal static class HandshakeProof
{
    /// <summary>Length of a nonce and of a proof in hex digits (32 bytes).</summary>
    public const int HexLength = 64;

    public static string NewNonce() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(HexLength / 2));

    public static string Compute(byte[] secret, string role, Guid clientNode, string clientNonce, Guid serverNode, string serverNonce)
    {
        var message = Encoding.UTF8.GetBytes($"liblim/{ProtocolSyntax.Version}\n{role}\n{clientNode:D}\n{clientNonce}\n{serverNode:D}\n{serverNonce}");
        return Convert.ToHexStringLower(HMACSHA256.HashData(secret, message));
    }

    /// <summary>Whether a received proof is the expected one, compared in constant time.</summary>
    public static bool Verify(string expected, string received)
    {
        if (received.Length != HexLength || !IsLowerHex(received))
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(Convert.FromHexString(expected), Convert.FromHexString(received));
    }

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
}
