using System.Net;
using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;
using Liblim.EfCore.FunctionalTests.Tcp;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Liblim.EfCore.FunctionalTests.Hub;

/// <summary>
/// A hub inside an ASP.NET Core app: devices sync with it over WebSockets on a real Kestrel, authenticated by the app's own
/// JWT bearer authentication; the token is the peer's identity, no shared secret is needed, and a peer without a valid token
/// is refused before anything is read from or written to the database.
/// </summary>
public abstract class HubTests : IAsyncDisposable
{
    private readonly List<IReplica> _replicas = [];

    public sealed class OnSqlite : HubTests
    {
        protected override DatabaseKind HubDatabase => DatabaseKind.Sqlite;
    }

    public sealed class OnPostgres : HubTests
    {
        protected override DatabaseKind HubDatabase => DatabaseKind.Postgres;
    }

    protected abstract DatabaseKind HubDatabase { get; }

    [Fact]
    public async Task A_device_with_a_valid_token_syncs_both_ways_and_the_hub_knows_it_by_its_token()
    {
        await using var hub = await HubHost.StartAsync(NewReplica(HubDatabase, "hub"));
        var device = NewReplica(DatabaseKind.Sqlite, "device");
        var (fromDevice, fromHub) = (Guid.NewGuid(), Guid.NewGuid());
        await Replicas.InsertAsync(device, new TodoItem { Id = fromDevice, Title = "from the device" });
        await Replicas.InsertAsync(hub.Replica, new TodoItem { Id = fromHub, Title = "from the hub" });
        var changes = new List<RowsChangedEventArgs>();
        hub.Hub.RowsChanged += (_, e) => { lock (changes) { changes.Add(e); } };

        var result = await hub.SyncAsync(device, TestTokens.For("device-7", TimeSpan.FromMinutes(5)));

        Assert.Equal((1, 1), (result.RowsSent, result.RowsReceived));
        Assert.Equal(Snapshot.Of(hub.Replica), Snapshot.Of(device));
        var change = Assert.Single(changes);
        Assert.Equal("device-7", change.From!.Claim("sub"));
        Assert.Equal(await NodeIdAsync(device), change.From.NodeId);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("wrong signature")]
    [InlineData("expired")]
    public async Task A_device_without_a_valid_token_is_refused_before_the_upgrade_and_nothing_is_read_or_written(string token)
    {
        await using var hub = await HubHost.StartAsync(NewReplica(HubDatabase, "hub"));
        var device = NewReplica(DatabaseKind.Sqlite, "device");
        await Replicas.InsertAsync(device, new TodoItem { Id = Guid.NewGuid(), Title = "kept on the device" });
        var before = ShadowRows.StateSeq(hub.Replica);

        var error = await Assert.ThrowsAsync<ProtocolException>(() => hub.SyncAsync(device, token switch
        {
            "none" => null,
            "wrong signature" => TestTokens.For("device-7", TimeSpan.FromMinutes(5), TestTokens.WrongKey),
            _ => TestTokens.For("device-7", TimeSpan.FromMinutes(-5)),
        }, secret: token == "none" ? "a secret the hub does not have" : null));

        Assert.Equal(ProtocolErrorCode.AuthenticationFailed, error.Code);
        Assert.Contains("HTTP 401", error.Message);
        Assert.Empty(Replicas.All(hub.Replica));
        Assert.Equal(before, ShadowRows.StateSeq(hub.Replica));
        Assert.Empty(ShadowRows.Peers(hub.Replica));
        Assert.Equal(0, hub.Hub.Sessions);
    }

    [Fact]
    public async Task A_device_whose_token_the_apps_policy_does_not_authorize_is_refused_with_403_and_nothing_is_read_or_written()
    {
        await using var hub = await HubHost.StartAsync(NewReplica(HubDatabase, "hub"), requiredScope: "sync");
        var device = NewReplica(DatabaseKind.Sqlite, "device");
        await Replicas.InsertAsync(device, new TodoItem { Id = Guid.NewGuid(), Title = "kept on the device" });

        var error = await Assert.ThrowsAsync<ProtocolException>(() => hub.SyncAsync(device, TestTokens.For("device-7", TimeSpan.FromMinutes(5), scope: "read")));
        var allowed = await hub.SyncAsync(device, TestTokens.For("device-7", TimeSpan.FromMinutes(5), scope: "sync"));

        Assert.Equal(ProtocolErrorCode.AuthenticationFailed, error.Code);
        Assert.Contains("HTTP 403", error.Message);
        Assert.Equal(1, allowed.RowsSent);
    }

    [Fact]
    public async Task A_node_id_belongs_to_the_user_of_its_first_session_and_another_user_presenting_it_is_refused_having_changed_nothing()
    {
        await using var hub = await HubHost.StartAsync(NewReplica(HubDatabase, "hub"));
        var node = Guid.NewGuid();
        var alices = NewReplica(DatabaseKind.Sqlite, "alices", o => o.NodeId(node));
        var copy = NewReplica(DatabaseKind.Sqlite, "mallorys copy", o => o.NodeId(node));
        await Replicas.InsertAsync(alices, new TodoItem { Id = Guid.NewGuid(), Title = "alice's" });
        await hub.SyncAsync(alices, TestTokens.For("alice", TimeSpan.FromMinutes(5)));
        await Replicas.InsertAsync(copy, new TodoItem { Id = Guid.NewGuid(), Title = "mallory's, as alice's device" });
        var peers = ShadowRows.Peers(hub.Replica);
        var before = ShadowRows.StateSeq(hub.Replica);

        var error = await Assert.ThrowsAsync<ProtocolException>(() => hub.SyncAsync(copy, TestTokens.For("mallory", TimeSpan.FromMinutes(5))));

        Assert.Equal(ProtocolErrorCode.AuthenticationFailed, error.Code);
        Assert.Contains($"node {node} registered to another user", error.Message);
        Assert.Equal(["alice's"], Replicas.All(hub.Replica).Select(t => t.Title));
        Assert.Equal(peers, ShadowRows.Peers(hub.Replica));
        Assert.Equal(before, ShadowRows.StateSeq(hub.Replica));
        var again = await hub.SyncAsync(alices, TestTokens.For("alice", TimeSpan.FromMinutes(5))); // alice's device syncs on
        Assert.Equal((0, 0), (again.RowsSent, again.RowsReceived));
    }

    [Fact]
    public async Task A_plain_request_to_the_endpoint_is_told_it_is_a_websocket_endpoint()
    {
        await using var hub = await HubHost.StartAsync(NewReplica(HubDatabase, "hub"), requireAuthorization: false);
        using var http = new HttpClient();

        var response = await http.GetAsync(new UriBuilder(hub.Address) { Scheme = "http" }.Uri);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("WebSocket", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_endpoint_that_authenticates_no_one_lets_in_only_peers_that_prove_its_shared_secret()
    {
        await using var hub = await HubHost.StartAsync(NewReplica(HubDatabase, "hub"), o => o.Secret = TcpPeer.Secret, requireAuthorization: false);
        var device = NewReplica(DatabaseKind.Sqlite, "device");
        await Replicas.InsertAsync(device, new TodoItem { Id = Guid.NewGuid(), Title = "proved" });

        var refused = await Assert.ThrowsAsync<ProtocolException>(() => hub.SyncAsync(device, token: null, secret: "another secret"));
        var result = await hub.SyncAsync(device, token: null, secret: TcpPeer.Secret);

        Assert.Equal(ProtocolErrorCode.AuthenticationFailed, refused.Code);
        Assert.Equal(1, result.RowsSent);
        Assert.Equal(Snapshot.Of(hub.Replica), Snapshot.Of(device));
    }

    /// <summary>
    /// After the first token expires, the next batch either way ends the session: one the device sends (the hub's reading
    /// loop finds the token expired) or one the hub sends (its sending loop does, while its reading loop waits on the
    /// WebSocket). Either way the device is told why and connects again with a fresh token.
    /// </summary>
    [Theory]
    [InlineData("device")]
    [InlineData("hub")]
    public async Task A_live_device_pushes_and_receives_changes_and_goes_on_with_a_fresh_token_when_its_token_expires(string writesAfterExpiry)
    {
        await using var hub = await HubHost.StartAsync(NewReplica(HubDatabase, "hub"));
        var device = (SqliteReplica)NewReplica(DatabaseKind.Sqlite, "device");
        var tokens = 0;
        DateTime firstExpires = default;
        await using var live = await SyncHost.StartOnAsync(device, o =>
        {
            o.Secret = null;
            o.AccessTokenProvider = _ =>
            {
                // The first token lives two seconds; the next ones long enough for the test.
                var lifetime = Interlocked.Increment(ref tokens) == 1 ? TimeSpan.FromSeconds(2) : TimeSpan.FromMinutes(5);
                if (tokens == 1)
                {
                    // A JWT's exp is whole seconds: the token expires at the second before.
                    var expires = DateTime.UtcNow + lifetime;
                    firstExpires = expires.AddTicks(-(expires.Ticks % TimeSpan.TicksPerSecond));
                }

                return ValueTask.FromResult<string?>(TestTokens.For("device-7", lifetime));
            };
        }, hub.Address);
        await SyncHost.EventuallyAsync(() => live.Service.IsConnected(hub.Address), "the device is connected live");

        var pushed = Guid.NewGuid();
        await Replicas.InsertAsync(device, new TodoItem { Id = pushed, Title = "pushed live" });
        await SyncHost.EventuallyAsync(() => Replicas.Find(hub.Replica, pushed) is not null, "the hub has the device's row");
        var received = Guid.NewGuid();
        await Replicas.InsertAsync(hub.Replica, new TodoItem { Id = received, Title = "from the hub" });
        await SyncHost.EventuallyAsync(() => Replicas.Find(device, received) is not null, "the device has the hub's row");

        // Past the first token's expiry, the next batch ends the session; the device connects again with a fresh token.
        await SyncHost.EventuallyAsync(() => DateTime.UtcNow > firstExpires.AddMilliseconds(100), "the first token has expired");
        var afterExpiry = Guid.NewGuid();
        var (writer, reader) = writesAfterExpiry == "device" ? ((IReplica)device, hub.Replica) : (hub.Replica, device);
        await Replicas.InsertAsync(writer, new TodoItem { Id = afterExpiry, Title = "after the token expired" });
        await SyncHost.EventuallyAsync(() => Replicas.Find(reader, afterExpiry) is not null, $"the row the {writesAfterExpiry} saved after the token expired arrived");

        Assert.True(Volatile.Read(ref tokens) >= 2, "the device asked for a fresh token");
        Assert.True(hub.Log.Count("Liblim.EfCore.AspNetCore", Microsoft.Extensions.Logging.LogLevel.Information, "expired") > 0, $"the hub ended the session because the token expired; it logged:\n{hub.Log}");
        Assert.True(hub.Log.Count("", Microsoft.Extensions.Logging.LogLevel.Error, "") == 0, $"the hub logged no error; it logged:\n{hub.Log}");
        Assert.True(live.Log.Count("", Microsoft.Extensions.Logging.LogLevel.Information, "connect again with fresh ones") > 0,
            $"the device was told why over the WebSocket, not only left with a closed connection; it logged:\n{live.Log}");
    }

    [Fact]
    public async Task Devices_over_tcp_and_over_websockets_converge_through_one_hub()
    {
        var central = NewReplica(HubDatabase, "hub");
        await using var hub = await HubHost.StartAsync(central);
        await using var tcp = await LiblimServer.StartAsync(new ReplicaFactory(central), new LiblimServerOptions { Endpoint = new IPEndPoint(IPAddress.Loopback, 0), Secret = TcpPeer.Secret });
        var overTcp = NewReplica(DatabaseKind.Sqlite, "tcp-device");
        var overWebSocket = NewReplica(DatabaseKind.Sqlite, "ws-device");
        var shared = Guid.NewGuid();
        await Replicas.InsertAsync(overTcp, new TodoItem { Id = shared, Title = "from the tcp device" });
        await Replicas.InsertAsync(overWebSocket, new TodoItem { Id = Guid.NewGuid(), Title = "from the websocket device" });
        var token = TestTokens.For("ws-device", TimeSpan.FromMinutes(5));
        async Task SyncTcpAsync()
        {
            await using var db = overTcp.Open();
            await db.Liblim().SyncWithAsync(new Uri($"liblim://127.0.0.1:{tcp.Endpoint.Port}"), TcpPeer.Secret);
        }

        await SyncTcpAsync();
        await hub.SyncAsync(overWebSocket, token);
        await Replicas.EditAsync(overWebSocket, shared, i => i.Done = true);
        await hub.SyncAsync(overWebSocket, token);
        await SyncTcpAsync();

        Assert.Equal(2, Replicas.All(central).Count);
        Assert.Equal(Snapshot.Of(central), Snapshot.Of(overTcp));
        Assert.Equal(Snapshot.Of(central), Snapshot.Of(overWebSocket));
        Assert.True(Replicas.Find(overTcp, shared)!.Done);
    }

    [Fact]
    public async Task The_health_checks_say_whether_the_database_answers_and_whether_the_live_peers_are_connected()
    {
        await using var hub = await HubHost.StartAsync(NewReplica(HubDatabase, "hub"));
        using var http = new HttpClient();
        var device = (SqliteReplica)NewReplica(DatabaseKind.Sqlite, "device");
        var down = new Uri("ws://127.0.0.1:9/liblim"); // nothing listens on the discard port
        await using var offline = await SyncHost.StartOnAsync(device, o => o.AccessTokenProvider = _ => ValueTask.FromResult<string?>(TestTokens.For("device-7", TimeSpan.FromMinutes(5))), down);
        var hubHealth = await http.GetAsync(hub.Health);
        var offlineHealth = await offline.HealthAsync();

        await using var online = await SyncHost.StartOnAsync(device, o => o.AccessTokenProvider = _ => ValueTask.FromResult<string?>(TestTokens.For("device-7", TimeSpan.FromMinutes(5))), hub.Address);
        await SyncHost.EventuallyAsync(() => online.Service.IsConnected(hub.Address), "the device is connected to the hub");
        var onlineHealth = await online.HealthAsync();

        Assert.Equal((HttpStatusCode.OK, "Healthy"), (hubHealth.StatusCode, await hubHealth.Content.ReadAsStringAsync()));
        Assert.Equal(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Degraded, offlineHealth.Status);
        Assert.Contains(down.ToString(), offlineHealth.Entries["liblim"].Description);
        Assert.Equal(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy, onlineHealth.Status);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var replica in _replicas)
        {
            replica.Dispose();
        }

        await Task.CompletedTask;
        GC.SuppressFinalize(this);
    }

    private IReplica NewReplica(DatabaseKind kind, string name, Action<Liblim.EfCore.Infrastructure.LiblimOptionsBuilder>? configure = null)
    {
        var replica = Replica.Create(kind, name, configure);
        _replicas.Add(replica);
        return replica;
    }

    private static async Task<Guid> NodeIdAsync(IReplica replica)
    {
        await using var db = replica.Open();
        return await db.Liblim().GetNodeIdAsync();
    }
}
