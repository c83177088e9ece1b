using System.Security.Cryptography;
using System.Text;
using Liblim.EfCore.Protocol;
using Liblim.EfCore.Values;

namespace Liblim.EfCore.Tests.Protocol;

/// <summary>Nonces are 16 random bytes and proofs the first 16 bytes of the HMAC, both as 32 lowercase hex digits.</summary>
public class HandshakeProofTests
{
    private static readonly byte[] Secret = Encoding.UTF8.GetBytes("correct horse battery staple");
    private static readonly Guid Client = Guid.Parse("af025bd5-ad21-412c-968b-a7ee58795f56");
    private static readonly Guid Server = Guid.Parse("015e46ca-9ebf-4e47-91e3-ea6186af56cc");
    private const string ClientNonce = "4f1c9a0e2b7d4c6a8e3f5a1b9c0d2e4f";
    private const string ServerNonce = "9d8c7b6a5f4e3d2c1b0a998877665544";

    private static string Proof(string role) => HandshakeProof.Compute(Secret, role, Client, ClientNonce, Server, ServerNonce);

    private static string WholeHmac(string role)
        => Convert.ToHexStringLower(HMACSHA256.HashData(Secret, Encoding.UTF8.GetBytes(
            $"liblim/1\n{role}\n{Client:D}\n{ClientNonce}\n{Server:D}\n{ServerNonce}")));

    [Fact]
    public void A_nonce_is_32_fresh_lowercase_hex_digits()
    {
        var nonces = Enumerable.Range(0, 100).Select(_ => HandshakeProof.NewNonce()).ToList();

        Assert.All(nonces, n =>
        {
            Assert.Equal(32, n.Length);
            Assert.True(AsciiText.IsLowerHex(n));
        });
        Assert.Equal(nonces.Count, nonces.Distinct().Count());
    }

    [Fact]
    public void A_proof_is_the_first_16_bytes_of_the_hmac_in_lowercase_hex()
    {
        Assert.Equal(WholeHmac("client")[..32], Proof("client"));
        Assert.Equal(WholeHmac("server")[..32], Proof("server"));
        Assert.NotEqual(Proof("client"), Proof("server"));
    }

    [Fact]
    public void The_expected_proof_verifies_and_nothing_else_does()
    {
        var proof = Proof("client");

        Assert.True(HandshakeProof.Verify(proof, proof));
        Assert.False(HandshakeProof.Verify(proof, Proof("server")));
        Assert.False(HandshakeProof.Verify(proof, WholeHmac("client")));          // the whole HMAC: the old length
        Assert.False(HandshakeProof.Verify(proof, proof[..31]));
        Assert.False(HandshakeProof.Verify(proof, proof.ToUpperInvariant()));
        Assert.False(HandshakeProof.Verify(proof, proof[..31] + (proof[31] == '0' ? '1' : '0')));
    }
}
