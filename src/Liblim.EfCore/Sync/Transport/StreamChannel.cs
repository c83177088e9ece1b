using System.Buffers;
using System.IO.Pipelines;
using Liblim.EfCore.Protocol;

namespace Liblim.EfCore.Sync.Transport;

/// <summary>
/// A channel over a byte stream (TCP, TLS): the one class that does such a connection's I/O. It reads lines through a
/// pipe and hands them to the parser, advancing the pipe only by what the parser consumed, and writes messages through
/// the protocol writer. Reads time out; writes are serialized, so a live session's two loops can share it.
/// </summary>
internal sealed class StreamChannel : IMessageChannel
{
    private const int FlushThreshold = 64 * 1024;

    private readonly Stream _stream;
    private readonly PipeReader _reader;
    private readonly PipeWriter _writer;
    private readonly LiblimProtocolLimits _limits;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private long _bytesSent;
    private long _bytesReceived;

    public StreamChannel(Stream stream, LiblimProtocolLimits limits)
    {
        _stream = stream;
        _limits = limits;
        _reader = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
        _writer = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
    }

    public long BytesSent => Interlocked.Read(ref _bytesSent);

    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    public async Task<ProtocolMessage> ReadAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        while (true)
        {
            ReadResult result;
            try
            {
                result = await _reader.ReadAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new ProtocolException(ProtocolErrorCode.Timeout, $"The peer sent nothing for {timeout.TotalSeconds:0.#} s.");
            }
            catch (IOException e)
            {
                throw new ProtocolException(ProtocolErrorCode.Closed, $"The connection broke: {e.Message}", innerException: e);
            }

            var buffer = result.Buffer;
            var consumed = buffer.Start;
            var examined = buffer.End;
            try
            {
                if (ProtocolParser.TryParseMessage(buffer, _limits.MaxLineLength, out consumed, out examined, out var message))
                {
                    Interlocked.Add(ref _bytesReceived, buffer.Slice(0, consumed).Length);
                    return message is ErrorMessage error
                        ? throw new ProtocolException(error.Code, $"The peer reported: {error.Text}", fromPeer: true)
                        : message!;
                }

                if (result.IsCompleted)
                {
                    throw new ProtocolException(ProtocolErrorCode.Closed, buffer.IsEmpty
                        ? "The peer closed the connection before the session ended."
                        : "The peer closed the connection in the middle of a line.");
                }
            }
            finally
            {
                _reader.AdvanceTo(consumed, examined);
            }
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
        await _reader.CompleteAsync().ConfigureAwait(false);
        await _writer.CompleteAsync().ConfigureAwait(false);
        await _stream.DisposeAsync().ConfigureAwait(false);
        _writeLock.Dispose();
    }

    private async Task FlushAsync(CancellationToken ct)
    {
        try
        {
            await _writer.FlushAsync(ct).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw new ProtocolException(ProtocolErrorCode.Closed, $"The connection broke: {e.Message}", innerException: e);
        }
    }
}
