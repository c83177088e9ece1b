using System.Buffers;
using System.Text;
using Liblim.EfCore.Protocol;

namespace Liblim.EfCore.Tests.Protocol;

/// <summary>
/// The transcripts of docs/protocol.md are test vectors: each side's lines parse the same however the bytes
/// arrive, write back to the very same bytes, and carry proofs made with the documented secret.
/// </summary>
public class TranscriptTests
{
    private const string Secret = "correct horse battery staple";

    public static TheoryData<string, string> Sides()
    {
        var data = new TheoryData<string, string>();
        foreach (var transcript in Transcript.All)
        {
            foreach (var side in new[] { Transcript.Client, Transcript.Server })
            {
                if (transcript.Lines(side).Count > 0)
                {
                    data.Add(transcript.Title, side);
                }
            }
        }

        return data;
    }

    private static List<ProtocolMessage> ParsedWhole(string title, string side)
        => MessageReader.ReadAll(new ReadOnlySequence<byte>(Transcript.Named(title).Bytes(side)));

    [Fact]
    public void The_specification_holds_the_documented_transcripts_with_both_sides()
    {
        var titles = Transcript.All.Select(t => t.Title).ToList();

        Assert.Contains("One-shot session", titles);
        Assert.Contains("Wrong secret", titles);
        Assert.Contains("Live session", titles);
        Assert.Contains("A refused batch", titles);
        Assert.All(Transcript.All, t =>
        {
            Assert.NotEmpty(t.ClientLines);
            Assert.NotEmpty(t.ServerLines);
        });
    }

    [Theory]
    [MemberData(nameof(Sides))]
    public void Whole_input_parses_to_one_message_per_line(string title, string side)
    {
        var messages = ParsedWhole(title, side);

        Assert.Equal(Transcript.Named(title).Lines(side).Count, messages.Count);
    }

    [Theory]
    [MemberData(nameof(Sides))]
    public void Input_split_in_two_at_every_offset_parses_to_the_same_messages(string title, string side)
    {
        var expected = ParsedWhole(title, side);
        var bytes = Transcript.Named(title).Bytes(side);

        for (var split = 1; split < bytes.Length; split++)
        {
            var input = ByteSegment.Sequence(bytes.AsMemory(0, split), bytes.AsMemory(split));
            MessageAssert.Equal(expected, MessageReader.ReadAll(input), $"split at {split}: ");
        }
    }

    [Theory]
    [MemberData(nameof(Sides))]
    public void Input_arriving_one_byte_at_a_time_parses_to_the_same_messages(string title, string side)
    {
        var expected = ParsedWhole(title, side);

        var actual = MessageReader.ReadFedInChunks(Transcript.Named(title).Bytes(side), chunkSize: 1);

        MessageAssert.Equal(expected, actual);
    }

    [Theory]
    [MemberData(nameof(Sides))]
    public void Writing_the_parsed_messages_gives_back_the_exact_bytes(string title, string side)
    {
        var bytes = Transcript.Named(title).Bytes(side);

        var written = MessageAssert.Written(ParsedWhole(title, side));

        Assert.Equal(Encoding.UTF8.GetString(bytes), Encoding.UTF8.GetString(written));
        Assert.Equal(bytes, written);
    }

    [Theory]
    [MemberData(nameof(Sides))]
    public void Crlf_line_endings_parse_to_the_same_messages(string title, string side)
    {
        var expected = ParsedWhole(title, side);
        var crlf = Transcript.Named(title).Bytes(side, "\r\n");

        MessageAssert.Equal(expected, MessageReader.ReadAll(new ReadOnlySequence<byte>(crlf)), "whole: ");
        MessageAssert.Equal(expected, MessageReader.ReadFedInChunks(crlf, chunkSize: 1), "byte by byte: ");
    }

    [Fact]
    public void Proofs_of_the_authenticated_transcripts_are_the_hmac_of_the_documented_secret()
    {
        var checkedTranscripts = 0;
        foreach (var t in Transcript.All.Where(t => Greeting(t) is { Server.Authenticated: false } && !RefusesAuthentication(t)))
        {
            var (client, server) = Greeting(t)!.Value;
            var clientProof = Assert.Single(Messages(t, Transcript.Client).OfType<ProofMessage>());
            var serverProof = Assert.Single(Messages(t, Transcript.Server).OfType<ProofMessage>());

            Assert.Equal(Proof("client", client, server), clientProof.Proof);
            Assert.Equal(Proof("server", client, server), serverProof.Proof);
            Assert.True(HandshakeProof.Verify(Proof("client", client, server), clientProof.Proof));
            Assert.False(HandshakeProof.Verify(Proof("server", client, server), clientProof.Proof), "a client proof must not pass as the server's.");
            checkedTranscripts++;
        }

        Assert.Equal(2, checkedTranscripts);
    }

    [Fact]
    public void A_server_greeting_that_says_the_transport_authenticated_the_client_is_followed_by_no_proof()
    {
        var t = Assert.Single(Transcript.All, t => Greeting(t) is { Server.Authenticated: true });

        Assert.Empty(Messages(t, Transcript.Client).OfType<ProofMessage>());
        Assert.Empty(Messages(t, Transcript.Server).OfType<ProofMessage>());
        Assert.IsType<HaveMessage>(Messages(t, Transcript.Client)[1]);
    }

    [Fact]
    public void The_wrong_secret_transcripts_proof_does_not_verify_and_the_server_refuses_it()
    {
        var t = Assert.Single(Transcript.All, RefusesAuthentication);
        var (client, server) = Greeting(t)!.Value;
        var clientProof = Assert.Single(Messages(t, Transcript.Client).OfType<ProofMessage>());

        Assert.False(HandshakeProof.Verify(Proof("client", client, server), clientProof.Proof));
        Assert.Empty(Messages(t, Transcript.Server).OfType<ProofMessage>());
    }

    private static string Proof(string role, HelloMessage client, HelloMessage server)
        => HandshakeProof.Compute(Encoding.UTF8.GetBytes(Secret), role, client.Node, client.Nonce, server.Node, server.Nonce);

    private static List<ProtocolMessage> Messages(Transcript t, string side)
        => MessageReader.ReadAll(new ReadOnlySequence<byte>(t.Bytes(side)));

    private static (HelloMessage Client, HelloMessage Server)? Greeting(Transcript t)
        => Messages(t, Transcript.Client).OfType<HelloMessage>().SingleOrDefault() is { } c
           && Messages(t, Transcript.Server).OfType<HelloMessage>().SingleOrDefault() is { } s
            ? (c, s)
            : null;

    private static bool RefusesAuthentication(Transcript t)
        => Messages(t, Transcript.Server).OfType<ErrorMessage>().Any(e => e.Code == ProtocolErrorCode.AuthenticationFailed);
}
