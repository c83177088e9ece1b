using System.Buffers;
using System.IO.Pipelines;
using System.Net.WebSockets;
using Liblim.EfCore.Protocol;

namespace Liblim.EfCore.Sync.Transport;

/// <summary>
/// A channel over a byte stream (TCP, TLS, a WebSocket): the one class that does such a connection's I/O. One loop
/// reads the stream into a pipe for as long as the channel is open; <see cref="ReadAsync"/> hands the pipe's lines to
/// the parser, advancing it only by what the parser consumed, and writes go through the protocol writer. A read that
/// times out or is cancelled stops waiting on the pipe, never the stream's own read: cancelling a WebSocket's read
/// aborts the socket, and then the session's last line (an error, a goodbye) could not be sent. Writes are serialized,
/// so a live session's two loops can share the channel.
/// </summary>
internal sealed class StreamChannel : IMessageChannel
{
    private const int FlushThreshold = 64 * 1024;
    private const int ReadSize = 16 * 1024;

    private readonly Stream _stream;
    private readonly Pipe _incoming;
    private readonly PipeWriter _writer;
    private readonly LiblimProtocolLimits _limits;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly CancellationTokenSource _closing = new();
    private readonly Task _filling;
    private long _bytesSent;
    private long _bytesReceived;

    public StreamChannel(Stream stream, LiblimProtocolLimits limits)
    {
        _stream = stream;
        _limits = limits;

        // An unfinished line is at most MaxLineLength long before the parser refuses it, so the stream is read ahead no
        // further than that and one read more.
        var readAhead = limits.MaxLineLength + ReadSize;
        _incoming = new Pipe(new PipeOptions(pauseWriterThreshold: readAhead, resumeWriterThreshold: readAhead / 2,
            minimumSegmentSize: ReadSize, useSynchronizationContext: false));
        _writer = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
        _filling = FillAsync();
    }

    /// <summary>How long closing a WebSocket waits for the peer's half of the closing handshake.</summary>
    private static readonly TimeSpan WebSocketCloseTimeout = TimeSpan.FromSeconds(2);

    /// <summary>A channel over a WebSocket, which it owns: each write is one binary message, and disposing it closes the socket with the closing handshake.</summary>
    public static StreamChannel OverWebSocket(WebSocket socket, LiblimProtocolLimits limits)
        => new(WebSocketStream.Create(socket, WebSocketMessageType.Binary, WebSocketCloseTimeout), limits);

    public long BytesSent => Interlocked.Read(ref _bytesSent);

    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    public ValueTask<ProtocolMessage> ReadAsync(TimeSpan timeout, CancellationToken ct)
    {
        // The rows of a batch mostly arrive many to a read: a message already in the pipe is taken without arming a timer.
        bool buffered;
        ReadResult result;
        try
        {
            buffered = _incoming.Reader.TryRead(out result);
        }
        catch (Exception e) when (Broke(e))
        {
            throw new ProtocolException(ProtocolErrorCode.Closed, $"The connection broke: {e.Message}", innerException: e);
        }

        return buffered && TryTake(result, out var message) ? ValueTask.FromResult(message) : WaitAsync(timeout, ct);
    }

    private async ValueTask<ProtocolMessage> WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        while (true)
        {
            ReadResult result;
            try
            {
                result = await _incoming.Reader.ReadAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new ProtocolException(ProtocolErrorCode.Timeout, $"The peer sent nothing for {timeout.TotalSeconds:0.#} s.");
            }
            catch (Exception e) when (Broke(e))
            {
                throw new ProtocolException(ProtocolErrorCode.Closed, $"The connection broke: {e.Message}", innerException: e);
            }

            if (TryTake(result, out var message))
            {
                return message;
            }
        }
    }

    /// <summary>
    /// Parses the next message out of what the pipe holds, advancing the pipe past it; false, having examined it all,
    /// when no whole line is there yet.
    /// </summary>
    private bool TryTake(ReadResult result, out ProtocolMessage message)
    {
        var buffer = result.Buffer;
        var consumed = buffer.Start;
        var examined = buffer.End;
        try
        {
            if (ProtocolParser.TryParseMessage(buffer, _limits.MaxLineLength, out consumed, out examined, out var parsed))
            {
                Interlocked.Add(ref _bytesReceived, buffer.Slice(0, consumed).Length);
                message = parsed is ErrorMessage error
                    ? throw new ProtocolException(error.Code, $"The peer reported: {error.Text}", fromPeer: true)
                    : parsed!;
                return true;
            }

            if (result.IsCompleted)
            {
                throw new ProtocolException(ProtocolErrorCode.Closed, buffer.IsEmpty
                    ? "The peer closed the connection before the session ended."
                    : "The peer closed the connection in the middle of a line.");
            }

            message = null!;
            return false;
        }
        finally
        {
            _incoming.Reader.AdvanceTo(consumed, examined);
        }
    }

    public async Task SendAsync(IEnumerable<ProtocolMessage> messages, CancellationToken ct)
    {
        await _writeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            foreach (var message in messages)
            {
                Interlocked.Add(ref _bytesSent, ProtocolWriter.Write(message, _writer));
                if (_writer.UnflushedBytes > FlushThreshold)
                {
                    await FlushAsync(ct).ConfigureAwait(false);
                }
            }

            await FlushAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Completing the writer flushes what is left; disposing the stream closes the connection (a WebSocket with its
        // closing handshake, which the read loop's pending read takes part in). On a connection already gone either may
        // fail, and closing goes on.
        await CloseQuietlyAsync(() => _writer.CompleteAsync()).ConfigureAwait(false);
        await CloseQuietlyAsync(() => _stream.DisposeAsync()).ConfigureAwait(false);
        await _closing.CancelAsync().ConfigureAwait(false);
        await _filling.ConfigureAwait(false);
        await _incoming.Reader.CompleteAsync().ConfigureAwait(false);
        _closing.Dispose();
        _writeLock.Dispose();
    }

    /// <summary>
    /// Reads the stream into the pipe until the peer closes it, the connection breaks or the channel is disposed; what
    /// ended it reaches <see cref="ReadAsync"/> once the lines before it are read.
    /// </summary>
    private async Task FillAsync()
    {
        await Task.Yield();
        Exception? broke = null;
        try
        {
            while (true)
            {
                var read = await _stream.ReadAsync(_incoming.Writer.GetMemory(ReadSize), _closing.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                _incoming.Writer.Advance(read);
                if ((await _incoming.Writer.FlushAsync(_closing.Token).ConfigureAwait(false)).IsCompleted)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
            // Disposed: nobody reads any more.
        }
        catch (Exception e)
        {
            broke = e;
        }

        await _incoming.Writer.CompleteAsync(broke).ConfigureAwait(false);
    }

    private static async Task CloseQuietlyAsync(Func<ValueTask> close)
    {
        try
        {
            await close().ConfigureAwait(false);
        }
        catch (Exception e) when (MessageChannelExtensions.IsConnectionGone(e))
        {
            // Nothing more can be said over this connection.
        }
    }

    private async Task FlushAsync(CancellationToken ct)
    {
        try
        {
            await _writer.FlushAsync(ct).ConfigureAwait(false);
        }
        catch (Exception e) when (Broke(e))
        {
            throw new ProtocolException(ProtocolErrorCode.Closed, $"The connection broke: {e.Message}", innerException: e);
        }
    }

    /// <summary>A stream's ways of saying the connection under it broke or was aborted (a WebSocket's included).</summary>
    private static bool Broke(Exception e) => e is IOException or WebSocketException or NotSupportedException;
}
