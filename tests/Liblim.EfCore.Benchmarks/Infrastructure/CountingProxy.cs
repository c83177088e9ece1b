using System.Net;
using System.Net.Sockets;

namespace Liblim.EfCore.Benchmarks.Infrastructure;

/// <summary>
/// A loopback TCP relay in front of a server that counts the bytes going each way: what a sync puts on the wire
/// (protocol bytes; TCP/IP headers not included).
/// </summary>
public sealed class CountingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _relays = [];
    private readonly Task _accepting;
    private long _toServer;
    private long _toClient;

    private CountingProxy(IPEndPoint target)
    {
        _target = target;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public Uri Address => new($"liblim://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    /// <summary>Bytes from client to server since the last <see cref="Reset"/>.</summary>
    public long ToServer => Interlocked.Read(ref _toServer);

    /// <summary>Bytes from server to client since the last <see cref="Reset"/>.</summary>
    public long ToClient => Interlocked.Read(ref _toClient);

    public static CountingProxy Start(IPEndPoint target) => new(target);

    public void Reset()
    {
        Interlocked.Exchange(ref _toServer, 0);
        Interlocked.Exchange(ref _toClient, 0);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        await _accepting;
        Task[] relays;
        lock (_relays)
        {
            relays = [.. _relays];
        }

        await Task.WhenAll(relays);
        _listener.Dispose();
        _stopping.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            lock (_relays)
            {
                _relays.Add(RelayAsync(client));
            }
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using (client)
        using (var server = new TcpClient())
        {
            client.NoDelay = true;
            server.NoDelay = true;
            await server.ConnectAsync(_target);
            var up = PumpAsync(client, server, b => Interlocked.Add(ref _toServer, b));
            var down = PumpAsync(server, client, b => Interlocked.Add(ref _toClient, b));
            await Task.WhenAll(up, down);
        }
    }

    private static async Task PumpAsync(TcpClient from, TcpClient to, Action<long> count)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            var input = from.GetStream();
            var output = to.GetStream();
            int read;
            while ((read = await input.ReadAsync(buffer)) > 0)
            {
                count(read);
                await output.WriteAsync(buffer.AsMemory(0, read));
            }

            to.Client.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            // One side closed abruptly; the sync reports it if it matters.
        }
    }
}
