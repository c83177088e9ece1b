using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;

namespace Liblim.EfCore.Sync.Transport;

/// <summary>
/// Opens a connection to a peer's address: TCP, with TLS for <c>liblims://</c>; a WebSocket for a hub's
/// <c>wss://</c> (<see cref="WebSocketConnector"/>).
/// </summary>
internal static class PeerConnector
{
    public static Task<StreamChannel> ConnectAsync(Uri address, LiblimClientOptions options, CancellationToken ct)
        => LiblimPeerAddress.IsWebSocket(address) ? WebSocketConnector.ConnectAsync(address, options, ct) : ConnectTcpAsync(address, options, ct);

    private static async Task<StreamChannel> ConnectTcpAsync(Uri address, LiblimClientOptions options, CancellationToken ct)
    {
        var (host, port, tls) = LiblimPeerAddress.Parse(address);
        var client = new TcpClient { NoDelay = true };
        try
        {
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                timeout.CancelAfter(options.ConnectTimeout);
                try
                {
                    await client.ConnectAsync(host, port, timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    throw new ProtocolException(ProtocolErrorCode.Timeout, $"Could not connect to {address} within {options.ConnectTimeout.TotalSeconds:0.#} s.");
                }
                catch (SocketException e)
                {
                    throw new ProtocolException(ProtocolErrorCode.Closed, $"Could not connect to {address}: {e.Message}", innerException: e);
                }
            }

            Stream stream = client.GetStream();
            if (tls)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false, options.CertificateValidation);
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(options.Limits.HandshakeTimeout);
                try
                {
                    await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = host }, timeout.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is AuthenticationException or IOException || (e is OperationCanceledException && !ct.IsCancellationRequested))
                {
                    await ssl.DisposeAsync().ConfigureAwait(false);
                    throw new ProtocolException(ProtocolErrorCode.AuthenticationFailed, $"The TLS handshake with {address} failed: {e.Message}", innerException: e);
                }

                stream = ssl;
            }

            return new StreamChannel(new OwningStream(stream, client), options.Limits);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>A stream that also disposes the socket it runs on.</summary>
    private sealed class OwningStream(Stream inner, IDisposable owner) : Stream
    {
        public override bool CanRead => inner.CanRead;
        public override bool CanSeek => false;
        public override bool CanWrite => inner.CanWrite;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => inner.WriteAsync(buffer, cancellationToken);
        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
                owner.Dispose();
            }

            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            await inner.DisposeAsync().ConfigureAwait(false);
            owner.Dispose();
            await base.DisposeAsync().ConfigureAwait(false);
        }
    }
}
