using Liblim.EfCore.Crdt;

namespace Liblim.EfCore.Protocol;

/// <summary>One line of the liblim protocol, parsed. docs/protocol.md specifies each.</summary>
internal abstract record ProtocolMessage;

/// <summary>
/// <c>ØHAI &lt;version&gt; &lt;node&gt; &lt;nonce&gt; [flags]</c>: who the sender is, and its challenge; a client's greeting may
/// ask for a live session, a server's may say that the transport has authenticated the client (no proofs follow).
/// </summary>
internal sealed record HelloMessage(int Version, Guid Node, string Nonce, bool Live, bool Authenticated = false) : ProtocolMessage;

/// <summary><c>ØHAI &lt;proof&gt;</c>: the truncated HMAC that proves the sender knows the shared secret.</summary>
internal sealed record ProofMessage(string Proof) : ProtocolMessage;

/// <summary>
/// <c>IHAZ {json}</c>: how far into each node's change feed the sender has got; <paramref name="Whole"/>: the sender asks
/// for the receiver's whole feed, rows the receiver took from it included (a rejoin after deleted rows were collected).
/// </summary>
internal sealed record HaveMessage(IReadOnlyDictionary<Guid, long> Positions, bool Whole = false) : ProtocolMessage;

/// <summary><c>UCANHAZ &lt;through&gt;</c>: a batch of rows starts; it brings the receiver to this feed position.</summary>
internal sealed record BatchStartMessage(long Through) : ProtocolMessage;

/// <summary><c>&lt;oid&gt;:&lt;json&gt;</c>: one row state inside a batch.</summary>
internal sealed record RowMessage(RowState State) : ProtocolMessage;

/// <summary>
/// <c>NOMOAR &lt;oid&gt;</c>: inside a batch, the row has left what the receiver may hold (a server's scope for it): the
/// receiver forgets it, as if it had never had it, and tells no one.
/// </summary>
internal sealed record EvictMessage(string Table, string Key) : ProtocolMessage;

/// <summary>
/// <c>NOPE &lt;oid&gt; &lt;reason&gt;</c>: inside a batch, a write of the receiver's that the sender, a server, did not apply
/// (the row is outside what its scope lets the receiver write), and why, in words for the receiver's side.
/// </summary>
internal sealed record RefusalMessage(string Table, string Key, string Reason) : ProtocolMessage;

/// <summary>The empty line that ends a batch.</summary>
internal sealed record BatchEndMessage : ProtocolMessage
{
    public static readonly BatchEndMessage Instance = new();
}

/// <summary><c>KTHXBAI [json]</c>: the sender has sent everything; with counts of the rows it received and applied.</summary>
internal sealed record ByeMessage(long Received, long Applied) : ProtocolMessage;

/// <summary><c>OHNOES &lt;code&gt; &lt;message&gt;</c>: the sender refuses to go on and closes the connection.</summary>
internal sealed record ErrorMessage(ProtocolErrorCode Code, string Text) : ProtocolMessage;
