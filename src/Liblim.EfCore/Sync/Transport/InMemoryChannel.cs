using System.Threading.Channels;
using Liblim.EfCore.Protocol;

namespace Liblim.EfCore.Sync.Transport;

/// <summary>
/// One end of a pair of channels in one process: what one end sends, the other reads, as the same message objects
/// (row states are immutable), in order. Two databases in one process sync through a pair with the same session
/// as over TCP, without encoding a line. Disposing an end closes the connection both ways, as closing a socket does.
/// </summary>
internal sealed class InMemoryChannel : IMessageChannel
{
    /// <summary>
    /// How many messages may wait unread before a sender waits: bounds the memory of a transfer. Half a default batch is
    /// enough to keep both sides busy; more lets the reading side run ahead, and the rows it holds live long enough to be
    /// collected as older generations (a 100,000-row sync at 4,096: 15 gen 2 collections, at 512: 3 to 8, with batches
    /// of 1,000).
    /// </summary>
    private const int Capacity = 128;

    private readonly Channel<ProtocolMessage> _incoming;
    private readonly Channel<ProtocolMessage> _outgoing;
    private readonly SemaphoreSlim _writeLock = new(1, 1);

    private InMemoryChannel(Channel<ProtocolMessage> incoming, Channel<ProtocolMessage> outgoing)
    {
        _incoming = incoming;
        _outgoing = outgoing;
    }

    public long BytesSent => 0;

    public long BytesReceived => 0;

    /// <summary>Two connected ends.</summary>
    public static (InMemoryChannel Client, InMemoryChannel Server) CreatePair()
    {
        var options = new BoundedChannelOptions(Capacity) { SingleReader = true, SingleWriter = false };
        var toServer = Channel.CreateBounded<ProtocolMessage>(options);
        var toClient = Channel.CreateBounded<ProtocolMessage>(options);
        return (new InMemoryChannel(toClient, toServer), new InMemoryChannel(toServer, toClient));
    }

    public ValueTask<ProtocolMessage> ReadAsync(TimeSpan timeout, CancellationToken ct)
        => _incoming.Reader.TryRead(out var message) ? ValueTask.FromResult(Received(message)) : WaitAsync(timeout, ct);

    private async ValueTask<ProtocolMessage> WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            while (await _incoming.Reader.WaitToReadAsync(deadline.Token).ConfigureAwait(false))
            {
                if (_incoming.Reader.TryRead(out var message))
                {
                    return Received(message);
                }
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new ProtocolException(ProtocolErrorCode.Timeout, $"The peer sent nothing for {timeout.TotalSeconds:0.#} s.");
        }

        throw new ProtocolException(ProtocolErrorCode.Closed, "The peer closed the connection before the session ended.");
    }

    private static ProtocolMessage Received(ProtocolMessage message)
        => message is ErrorMessage error ? throw new ProtocolException(error.Code, $"The peer reported: {error.Text}", fromPeer: true) : message;

    public async Task SendAsync(IEnumerable<ProtocolMessage> messages, CancellationToken ct)
    {
        await _writeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            foreach (var message in messages)
            {
                try
                {
                    await _outgoing.Writer.WriteAsync(message, ct).ConfigureAwait(false);
                }
                catch (ChannelClosedException e)
                {
                    throw new ProtocolException(ProtocolErrorCode.Closed, "The connection broke: the peer has left.", innerException: e);
                }
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public ValueTask DisposeAsync()
    {
        // The peer reads what was sent before this, then sees the connection closed; its own sends fail from now on.
        _outgoing.Writer.TryComplete();
        _incoming.Writer.TryComplete();
        _writeLock.Dispose();
        return ValueTask.CompletedTask;
    }
}
