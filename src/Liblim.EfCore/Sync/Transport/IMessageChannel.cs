using Liblim.EfCore.Protocol;

namespace Liblim.EfCore.Sync.Transport;

/// <summary>
/// A connection to a peer that carries liblim protocol messages, whatever it runs on: a TCP or TLS stream
/// (<see cref="StreamChannel"/>), or an in-memory pair for two databases in one process (<see cref="InMemoryChannel"/>).
/// The sync session (<see cref="Internal.SyncSession"/>) reads and writes only through this.
/// </summary>
internal interface IMessageChannel : IAsyncDisposable
{
    /// <summary>Bytes written to the peer so far (0 where messages are not encoded).</summary>
    long BytesSent { get; }

    /// <summary>Bytes read from the peer so far (0 where messages are not encoded).</summary>
    long BytesReceived { get; }

    /// <summary>Reads the next message; completes at once, arming no timer, when the message has arrived already.</summary>
    /// <exception cref="ProtocolException">Malformed input, a line over the limit, a timeout, the connection closed, or an <c>OHNOES</c> from the peer.</exception>
    ValueTask<ProtocolMessage> ReadAsync(TimeSpan timeout, CancellationToken ct);

    /// <summary>Writes messages, as one unit with respect to other writers, and flushes them.</summary>
    Task SendAsync(IEnumerable<ProtocolMessage> messages, CancellationToken ct);
}
