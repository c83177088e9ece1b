using System.Net;
using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Tcp;

/// <summary>Only peers that know the secret exchange data; a failed greeting leaves both databases as they were.</summary>
public class AuthenticationTests
{
    [Fact]
    public async Task A_client_with_the_wrong_secret_is_refused_and_neither_database_changes()
    {
        await using var server = await TcpPeer.StartAsync("auth-server");
        using var client = new SqliteReplica("auth-client");
        await Replicas.InsertAsync(server.Replica, new TodoItem { Id = Guid.NewGuid(), Title = "server row" });
        await Replicas.InsertAsync(client, new TodoItem { Id = Guid.NewGuid(), Title = "client row" });
        var serverBefore = DatabaseDump.Of(server.Replica);
        var clientBefore = DatabaseDump.Of(client);

        await using var db = client.Open();
        var error = await Assert.ThrowsAsync<ProtocolException>(() => db.Liblim().SyncWithAsync(server.Address, "wrong secret"));

        Assert.Equal(ProtocolErrorCode.AuthenticationFailed, error.Code);
        Assert.True(error.FromPeer);
        Assert.Equal("The peer reported: This server could not verify the client's proof: the two sides are not configured with the same shared secret.", error.Message);
        Assert.Equal(serverBefore, DatabaseDump.Of(server.Replica));
        Assert.Equal(clientBefore, DatabaseDump.Of(client));
    }

    [Fact]
    public async Task A_server_that_does_not_know_the_secret_cannot_pass_as_the_peer()
    {
        // The server accepts anyone (its per-peer secret lookup returns the client's guess back)... but it
        // cannot compute the proof for the secret the client holds.
        await using var server = await TcpPeer.StartAsync("impostor", o => o with { Secret = null, SecretForPeer = _ => "impostor's secret" });
        using var client = new SqliteReplica("auth-client");
        await Replicas.InsertAsync(client, new TodoItem { Id = Guid.NewGuid(), Title = "private" });
        var serverBefore = DatabaseDump.Of(server.Replica);

        await using var db = client.Open();
        var error = await Assert.ThrowsAsync<ProtocolException>(() => db.Liblim().SyncWithAsync(server.Address, TcpPeer.Secret));

        Assert.Equal(ProtocolErrorCode.AuthenticationFailed, error.Code);
        Assert.Equal(serverBefore, DatabaseDump.Of(server.Replica));
    }

    [Fact]
    public async Task Per_peer_secrets_let_a_server_accept_one_peer_and_refuse_another()
    {
        var allowedNode = Guid.NewGuid();
        using var allowed = new SqliteReplica("allowed", o => o.NodeId(allowedNode));
        using var refused = new SqliteReplica("refused");

        await using var server = await TcpPeer.StartAsync("per-peer", o => o with { Secret = null, SecretForPeer = peer => peer == allowedNode ? "allowed's secret" : null });

        await using (var db = allowed.Open())
        {
            await db.Liblim().SyncWithAsync(server.Address, "allowed's secret");
        }

        await using (var db = refused.Open())
        {
            var error = await Assert.ThrowsAsync<ProtocolException>(() => db.Liblim().SyncWithAsync(server.Address, "allowed's secret"));
            Assert.Equal(ProtocolErrorCode.AuthenticationFailed, error.Code);
            Assert.Equal($"The peer reported: This server does not accept node {await db.Liblim().GetNodeIdAsync()}.", error.Message);
        }
    }

    [Fact]
    public async Task A_server_at_its_connection_limit_says_busy()
    {
        await using var server = await TcpPeer.StartAsync("busy", o => o with { MaxConnections = 1 });
        await using var holder = await RawPeer.ConnectAsync(server);
        await holder.GreetAsync(); // holds the only slot
        using var client = new SqliteReplica("busy-client");

        await using var db = client.Open();
        var error = await Assert.ThrowsAsync<ProtocolException>(() => db.Liblim().SyncWithAsync(server.Address, TcpPeer.Secret));

        Assert.Equal(ProtocolErrorCode.Busy, error.Code);
    }

    [Fact]
    public async Task An_address_with_no_server_fails_with_a_typed_error()
    {
        using var client = new SqliteReplica("nobody");
        var port = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        port.Start();
        var free = ((IPEndPoint)port.LocalEndpoint).Port;
        port.Stop();

        await using var db = client.Open();
        var error = await Assert.ThrowsAsync<ProtocolException>(() => db.Liblim().SyncWithAsync(new Uri($"liblim://127.0.0.1:{free}"), "s"));

        Assert.Equal(ProtocolErrorCode.Closed, error.Code);
    }
}
