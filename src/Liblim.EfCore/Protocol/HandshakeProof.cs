using System.Security.Cryptography;
using System.Text;
using Liblim.EfCore.Values;

namespace Liblim.EfCore.Protocol;

/// <summary>
/// The mutual challenge-response of the greeting. Each side sends a fresh random nonce of 16 bytes; each proves it
/// knows the shared secret with the first 16 bytes of HMAC-SHA256(secret, "liblim/1\n" role "\n" client-node "\n"
/// client-nonce "\n" server-node "\n" server-nonce), role being "client" or "server" so that one side's proof can
/// never be replayed as the other's. The secret itself never crosses the wire. 128 bits of proof are far beyond
/// online guessing (each guess costs a connection), and 128-bit random nonces never repeat in practice.
/// </summary>
internal static class HandshakeProof
{
    /// <summary>Length of a nonce in lowercase hex digits (16 bytes).</summary>
    public const int NonceHexLength = 32;

    /// <summary>Length of a proof in lowercase hex digits: the HMAC truncated to its first 16 bytes.</summary>
    public const int ProofHexLength = 32;

    public static string NewNonce() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(NonceHexLength / 2));

    public static string Compute(byte[] secret, string role, Guid clientNode, string clientNonce, Guid serverNode, string serverNonce)
    {
        var message = Encoding.UTF8.GetBytes($"liblim/1\n{role}\n{clientNode:D}\n{clientNonce}\n{serverNode:D}\n{serverNonce}");
        return Convert.ToHexStringLower(HMACSHA256.HashData(secret, message).AsSpan(0, ProofHexLength / 2));
    }

    /// <summary>Whether a received proof is the expected one, compared in constant time.</summary>
    public static bool Verify(string expected, string received)
    {
        if (received.Length != ProofHexLength || expected.Length != ProofHexLength || !AsciiText.IsLowerHex(received))
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(Convert.FromHexString(expected), Convert.FromHexString(received));
    }
}
