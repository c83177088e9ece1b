using System.Net;
using System.Net.Sockets;

namespace Liblim.EfCore.FunctionalTests.Tcp;

/// <summary>
/// A TCP proxy on loopback that forwards to a server and, for each connection, drops both sockets once a
/// chosen number of bytes has gone from the server to the client: a connection lost mid-transfer. It counts the
/// bytes it forwards each way, so a test can see what a session really costs on the socket, and keeps them, so a test
/// can read the lines that crossed.
/// </summary>
public sealed class CuttingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly Func<long> _cutAfter;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly MemoryStream _keptToServer = new();
    private readonly MemoryStream _keptToClient = new();
    private long _toServer;
    private long _toClient;

    public CuttingProxy(IPEndPoint target, Func<long> cutAfterServerBytes)
    {
        _target = target;
        _cutAfter = cutAfterServerBytes;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>A proxy that never cuts: it only counts.</summary>
    public CuttingProxy(IPEndPoint target)
        : this(target, () => long.MaxValue)
    {
    }

    /// <summary>Bytes forwarded from clients to the server, over all connections so far.</summary>
    public long BytesToServer => Interlocked.Read(ref _toServer);

    /// <summary>Bytes forwarded from the server to clients, over all connections so far.</summary>
    public long BytesToClient => Interlocked.Read(ref _toClient);

    /// <summary>The lines forwarded from clients to the server so far, over all connections.</summary>
    public IReadOnlyList<string> LinesToServer => Lines(_keptToServer);

    /// <summary>The lines forwarded from the server to clients so far, over all connections.</summary>
    public IReadOnlyList<string> LinesToClient => Lines(_keptToClient);

    public Uri Address => new($"liblim://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = RelayAsync(client, _cutAfter());
        }
    }

    private async Task RelayAsync(TcpClient client, long cutAfter)
    {
        using var server = new TcpClient();
        using (client)
        {
            try
            {
                await server.ConnectAsync(_target);
                using var cut = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                var up = PumpAsync(client.GetStream(), server.GetStream(), long.MaxValue, b => Keep(b, ref _toServer, _keptToServer), cut.Token);
                var down = PumpAsync(server.GetStream(), client.GetStream(), cutAfter, b => Keep(b, ref _toClient, _keptToClient), cut.Token);
                await Task.WhenAny(up, down);
                await cut.CancelAsync();
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
            {
            }

            // Close both sides: what was forwarded is delivered, then the connection ends mid-session.
        }
    }

    private static void Keep(ReadOnlyMemory<byte> bytes, ref long count, MemoryStream kept)
    {
        Interlocked.Add(ref count, bytes.Length);
        lock (kept)
        {
            kept.Write(bytes.Span);
        }
    }

    private static string[] Lines(MemoryStream kept)
    {
        lock (kept)
        {
            return System.Text.Encoding.UTF8.GetString(kept.GetBuffer(), 0, (int)kept.Length).Split('\n');
        }
    }

    /// <summary>Forwards up to <paramref name="limit"/> bytes, keeping each read before it is written on.</summary>
    private static async Task PumpAsync(Stream from, Stream to, long limit, Action<ReadOnlyMemory<byte>> keep, CancellationToken ct)
    {
        var buffer = new byte[8192];
        long total = 0;
        try
        {
            while (total < limit)
            {
                var read = await from.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, limit - total)), ct);
                if (read == 0)
                {
                    return;
                }

                keep(buffer.AsMemory(0, read));
                await to.WriteAsync(buffer.AsMemory(0, read), ct);
                total += read;
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }
}
