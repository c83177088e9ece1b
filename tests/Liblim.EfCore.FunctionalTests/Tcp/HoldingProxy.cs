using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Liblim.EfCore.FunctionalTests.Tcp;

/// <summary>
/// A TCP proxy on loopback for one connection that forwards both ways, except that it holds the client's bytes from its
/// IHAZ line on until the test releases them: the test can run something else between the client's IHAZ and the
/// server's reading of it.
/// </summary>
public sealed class HoldingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _holding = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serving;

    public HoldingProxy(IPEndPoint target)
    {
        _target = target;
        _listener.Start();
        _serving = ServeAsync();
    }

    public Uri Address => new($"liblim://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    /// <summary>Completes once the client's IHAZ has arrived and is being held.</summary>
    public Task Holding => _holding.Task;

    /// <summary>Forwards the held bytes, and everything after them.</summary>
    public void Release() => _release.TrySetResult();

    public async ValueTask DisposeAsync()
    {
        _release.TrySetResult();
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _serving;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
        {
        }

        _listener.Dispose();
        _stop.Dispose();
    }

    private async Task ServeAsync()
    {
        using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
        using var server = new TcpClient();
        await server.ConnectAsync(_target, _stop.Token);
        var toServer = PumpAsync(client.GetStream(), server.GetStream(), hold: true);
        var toClient = PumpAsync(server.GetStream(), client.GetStream(), hold: false);
        await Task.WhenAny(toServer, toClient);
    }

    private async Task PumpAsync(NetworkStream from, NetworkStream to, bool hold)
    {
        var buffer = new byte[64 * 1024];
        var held = false;
        try
        {
            while (await from.ReadAsync(buffer, _stop.Token) is var read and > 0)
            {
                if (hold && !held && Encoding.UTF8.GetString(buffer, 0, read).Contains("IHAZ ", StringComparison.Ordinal))
                {
                    held = true;
                    _holding.TrySetResult();
                    await _release.Task.WaitAsync(_stop.Token);
                }

                await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            to.Socket.Shutdown(SocketShutdown.Send);
        }
    }
}
