using System.Net.Sockets;
using System.Text;
using Liblim.EfCore.Protocol;

namespace Liblim.EfCore.FunctionalTests.Tcp;

/// <summary>
/// A hand-driven protocol client on a real socket, for feeding a server exactly the bytes a test wants,
/// including broken ones, and reading back what the server answers.
/// </summary>
public sealed class RawPeer : IAsyncDisposable
{
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;
    private readonly List<byte> _pending = [];

    private RawPeer(TcpClient client, Guid? node = null)
    {
        _client = client;
        _stream = client.GetStream();
        Node = node ?? Guid.NewGuid();
    }

    public Guid Node { get; }

    public Guid ServerNode { get; private set; }

    /// <summary>Whether the server answered this peer's proof with its own: the peer authenticated.</summary>
    public bool Authenticated { get; private set; }

    public static Task<RawPeer> ConnectAsync(TcpPeer server) => ConnectAsync(server.Server);

    /// <param name="server">The server to connect to.</param>
    /// <param name="node">The node id to greet with (a peer the server knows); a new one when null.</param>
    public static async Task<RawPeer> ConnectAsync(LiblimServer server, Guid? node = null)
    {
        var client = new TcpClient();
        await client.ConnectAsync(server.Endpoint);
        return new RawPeer(client, node);
    }

    public Task SendAsync(string text) => SendAsync(Encoding.UTF8.GetBytes(text));

    public async Task SendAsync(byte[] bytes)
    {
        try
        {
            await _stream.WriteAsync(bytes);
            await _stream.FlushAsync();
        }
        catch (IOException)
        {
            // The server may already have closed on us; the test reads what it said.
        }
    }

    /// <summary>The next line from the server, or null once it closed the connection.</summary>
    public async Task<string?> ReadLineAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        var buffer = new byte[4096];
        while (true)
        {
            var newline = _pending.IndexOf((byte)'\n');
            if (newline >= 0)
            {
                var line = Encoding.UTF8.GetString(_pending.GetRange(0, newline).ToArray());
                _pending.RemoveRange(0, newline + 1);
                return line;
            }

            int read;
            try
            {
                read = await _stream.ReadAsync(buffer, cts.Token);
            }
            catch (IOException)
            {
                return null;
            }

            if (read == 0)
            {
                return null;
            }

            _pending.AddRange(buffer.AsSpan(0, read).ToArray());
        }
    }

    /// <summary>Reads lines until the server closes; returns the OHNOES line it sent, if any.</summary>
    public async Task<string?> ReadErrorAndCloseAsync(TimeSpan? timeout = null)
    {
        string? error = null;
        while (await ReadLineAsync(timeout) is { } line)
        {
            if (line.StartsWith("OHNOES ", StringComparison.Ordinal))
            {
                error = line;
            }
        }

        return error;
    }

    /// <summary>The protocol version the server's greeting answered with.</summary>
    public int ServerVersion { get; private set; }

    /// <summary>Greets, offering a protocol version (1 unless given), and authenticates with the secret, as a real client would.</summary>
    public async Task GreetAsync(string secret = TcpPeer.Secret, bool live = false, int version = 1)
    {
        var nonce = HandshakeProof.NewNonce();
        await SendAsync($"ØHAI {version} {Node:D} {nonce}{(live ? " live" : "")}\n");
        var hello = (await ReadLineAsync())!.Split(' ');
        ServerVersion = int.Parse(hello[1], System.Globalization.CultureInfo.InvariantCulture);
        ServerNode = Guid.Parse(hello[2]);
        var key = Encoding.UTF8.GetBytes(secret);
        await SendAsync($"ØHAI {HandshakeProof.Compute(key, "client", Node, nonce, ServerNode, hello[3])}\n");
        var answer = (await ReadLineAsync())!;
        Authenticated = answer.StartsWith("ØHAI ", StringComparison.Ordinal);
        if (!Authenticated)
        {
            // Not authenticated: leave the answer for the test to read.
            _pending.InsertRange(0, Encoding.UTF8.GetBytes(answer + "\n"));
        }
    }

    /// <summary>Greets, then says it has nothing of the server's feed, and reads the server's IHAZ.</summary>
    public async Task GreetAndHaveAsync(long ownHead = 0, int version = 1)
    {
        await GreetAsync(version: version);
        await SendAsync($"IHAZ {{\"{Node:D}\":{ownHead},\"{ServerNode:D}\":0}}\n");
        var have = await ReadLineAsync();
        Assert.StartsWith("IHAZ ", have);
    }

    /// <summary>A valid timestamp of this peer's node, offset from now.</summary>
    public string Timestamp(TimeSpan offset = default, int counter = 0)
        => $"{((DateTimeOffset.UtcNow + offset).ToUnixTimeMilliseconds() << 16 | (long)counter):x16}.{Node:N}";

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _client.Dispose();
    }
}
