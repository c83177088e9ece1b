using System.Buffers;
using System.IO.Pipelines;
using System.Net.WebSockets;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using Liblim.EfCore.Protocol;

namespace Liblim.EfCore.Sync.Transport;

/// <summary>
/// A channel over a byte stream (TCP, TLS, a WebSocket): the one class that does such a connection's I/O. One loop
/// reads the stream into a pipe for as long as the channel is open; a second parses the pipe's lines into messages, a
/// batch ahead of <see cref="ReadAsync"/> (so a batch is parsed while the one before it is applied), and writes go
/// through the protocol writer. A read that times out or is cancelled stops waiting for the next message, never the
/// stream's own read: cancelling a WebSocket's read aborts the socket, and then the session's last line (an error, a
/// goodbye) could not be sent. Writes are serialized, so a live session's two loops can share the channel.
/// </summary>
internal sealed class StreamChannel : IMessageChannel
{
    private const int FlushThreshold = 64 * 1024;
    private const int ReadSize = 16 * 1024;

    // Messages parsed ahead of the reader: a batch of rows (Limits.BatchSize), so the next batch is parsed while one is applied.
    private const int ParseAhead = 1024;

    private readonly Stream _stream;
    private readonly Pipe _incoming;
    private readonly PipeWriter _writer;
    private readonly LiblimProtocolLimits _limits;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly CancellationTokenSource _closing = new();
    private readonly Task _filling;
    private readonly Channel<Parsed> _parsed = Channel.CreateBounded<Parsed>(new BoundedChannelOptions(ParseAhead) { SingleReader = false, SingleWriter = true });
    private readonly Task _parsing;
    private ExceptionDispatchInfo? _failed;
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
        _parsing = ParseAsync();
    }

    /// <summary>How long closing a WebSocket waits for the peer's half of the closing handshake.</summary>
    private static readonly TimeSpan WebSocketCloseTimeout = TimeSpan.FromSeconds(2);

    /// <summary>A channel over a WebSocket, which it owns: each write is one binary message, and disposing it closes the socket with the closing handshake.</summary>
    public static StreamChannel OverWebSocket(WebSocket socket, LiblimProtocolLimits limits)
        => new(WebSocketStream.Create(socket, WebSocketMessageType.Binary, WebSocketCloseTimeout), limits);

    public long BytesSent => Interlocked.Read(ref _bytesSent);

    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    public ValueTask<ProtocolMessage> ReadAsync(TimeSpan timeout, CancellationToken ct)
        // The rows of a batch are mostly parsed before they are read: a message waiting is taken without arming a timer.
        => _failed is null && _parsed.Reader.TryRead(out var next) ? ValueTask.FromResult(Take(next)) : WaitAsync(timeout, ct);

    private async ValueTask<ProtocolMessage> WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        _failed?.Throw();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            return Take(await _parsed.Reader.ReadAsync(deadline.Token).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new ProtocolException(ProtocolErrorCode.Timeout, $"The peer sent nothing for {timeout.TotalSeconds:0.#} s.");
        }
        catch (ChannelClosedException e)
        {
            throw new ProtocolException(ProtocolErrorCode.Closed, "The connection is closed.", innerException: e); // disposed
        }
    }

    /// <summary>
    /// A message parsed ahead, counted as received now; what ended the connection's input (its last entry) is thrown by
    /// this read and every read after it.
    /// </summary>
    private ProtocolMessage Take(Parsed next)
    {
        if (next.Error is { } error)
        {
            _failed = ExceptionDispatchInfo.Capture(error);
            _failed.Throw();
        }

        Interlocked.Add(ref _bytesReceived, next.Bytes);
        return next.Message is ErrorMessage peerError
            ? throw new ProtocolException(peerError.Code, $"The peer reported: {peerError.Text}", fromPeer: true)
            : next.Message!;
    }

    /// <summary>
    /// Parses the pipe's lines into messages, each with its length in bytes, until a line is malformed or the input ends;
    /// then adds what ended it (a <see cref="ProtocolException"/>, or what the stream threw) as the last entry. Waits
    /// while <see cref="ParseAhead"/> messages are waiting to be read.
    /// </summary>
    private async Task ParseAsync()
    {
        await Task.Yield();
        Exception? ended;
        try
        {
            while (true)
            {
                ReadResult result;
                try
                {
                    result = await _incoming.Reader.ReadAsync(_closing.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (Broke(e))
                {
                    ended = new ProtocolException(ProtocolErrorCode.Closed, $"The connection broke: {e.Message}", innerException: e);
                    break;
                }

                var buffer = result.Buffer;
                var examined = buffer.End;
                try
                {
                    while (ProtocolParser.TryParseMessage(buffer, _limits.MaxLineLength, out var lineEnd, out examined, out var message))
                    {
                        await _parsed.Writer.WriteAsync(new(message, buffer.Slice(0, lineEnd).Length, null), _closing.Token).ConfigureAwait(false);
                        buffer = buffer.Slice(lineEnd);
                    }
                }
                finally
                {
                    _incoming.Reader.AdvanceTo(buffer.Start, examined);
                }

                if (result.IsCompleted)
                {
                    ended = new ProtocolException(ProtocolErrorCode.Closed, buffer.IsEmpty
                        ? "The peer closed the connection before the session ended."
                        : "The peer closed the connection in the middle of a line.");
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
            _parsed.Writer.TryComplete(); // disposed: nobody reads any more
            return;
        }
        catch (Exception e)
        {
            ended = e; // a malformed line (a ProtocolException), or what the stream threw
        }

        try
        {
            await _parsed.Writer.WriteAsync(new(null, 0, ended), _closing.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
            // Disposed while the reader was behind.
        }

        _parsed.Writer.TryComplete();
    }

    /// <summary>A message parsed ahead and its length in bytes, or what ended the input.</summary>
    private readonly record struct Parsed(ProtocolMessage? Message, long Bytes, Exception? Error);

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
        await _parsing.ConfigureAwait(false);
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
