using System.Net;
using System.Security.Claims;
using Liblim.EfCore.FunctionalTests.Hub;
using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Tcp;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Scopes;

/// <summary>
/// A hub with the shops' scope rules, and shops A and B (SQLite): a TCP server that knows the shops' claims by node id, or
/// an ASP.NET Core hub on Kestrel that takes them from each shop's JWT.
/// </summary>
internal sealed class ShopHub : IAsyncDisposable
{
    private readonly LiblimServer? _server;
    private readonly WebApplication? _app;
    private readonly Uri _address;
    private LiblimProtocolLimits _limits = new();

    private ShopHub(ShopReplica hub, ShopReplica a, ShopReplica b, LiblimServer? server, WebApplication? app, Uri address)
    {
        Hub = hub;
        A = a;
        B = b;
        _server = server;
        _app = app;
        _address = address;
    }

    public ShopReplica Hub { get; }

    /// <summary>The TCP server; null for a hub over WebSockets.</summary>
    public LiblimServer? Server => _server;

    /// <summary>Where the shops reach the hub: <c>liblim://</c> over TCP, <c>ws://</c> over a WebSocket.</summary>
    public Uri Address => _address;

    public ShopReplica A { get; }

    public ShopReplica B { get; }

    /// <param name="hubDatabase">The hub's database.</param>
    /// <param name="overWebSockets">Whether the hub is an ASP.NET Core app the shops reach over WebSockets (else a TCP server).</param>
    /// <param name="rules">The hub's scope rules; <see cref="Rules"/> when null.</param>
    /// <param name="limits">The protocol limits of the TCP hub and of the shops' syncs; the defaults when null.</param>
    public static async Task<ShopHub> StartAsync(DatabaseKind hubDatabase, bool overWebSockets = false, Func<LiblimScopes, LiblimScopes>? rules = null, LiblimProtocolLimits? limits = null)
    {
        rules ??= Rules;
        limits ??= new LiblimProtocolLimits();
        var hub = new ShopReplica(hubDatabase, "hub");
        var a = new ShopReplica(DatabaseKind.Sqlite, "shop-a");
        var b = new ShopReplica(DatabaseKind.Sqlite, "shop-b");
        if (overWebSockets)
        {
            var (app, address, _) = await HubHost.StartAppAsync(new ShopFactory(hub), o => rules(o.Scopes));
            return new ShopHub(hub, a, b, null, app, address);
        }

        var claims = new Dictionary<Guid, Claim[]> { [await NodeOf(a)] = [new("shop", "a")], [await NodeOf(b)] = [new("shop", "b")] };
        var server = await LiblimServer.StartAsync(new ShopFactory(hub), new LiblimServerOptions
        {
            Endpoint = new IPEndPoint(IPAddress.Loopback, 0),
            SecretForPeer = node => claims.ContainsKey(node) ? TcpPeer.Secret : null,
            ClaimsForPeer = node => claims.GetValueOrDefault(node) ?? [],
            Scopes = rules(new LiblimScopes()),
            Limits = limits,
        });
        return new ShopHub(hub, a, b, server, null, new Uri($"liblim://127.0.0.1:{server.Endpoint.Port}")) { _limits = limits };
    }

    /// <summary>Each shop reads and writes its orders and their lines; every shop reads the catalogue; the notes are the hub's.</summary>
    public static LiblimScopes Rules(LiblimScopes scopes)
        => scopes.Scope<ShopOrder>((order, peer) => order.ShopId == peer.Claim("shop"))
            .Scope<ShopOrderLine>((line, peer) => line.Order.ShopId == peer.Claim("shop"))
            .ReadOnly<Product>();

    public async Task AtHubAsync(Action<ShopDb> change) => await AtHubAsync(db =>
    {
        change(db);
        return Task.CompletedTask;
    });

    public async Task AtHubAsync(Func<ShopDb, Task> change)
    {
        await using var db = Hub.Open();
        await change(db);
        await db.SaveChangesAsync();
    }

    public Task<SyncResult> SyncAsync(ShopReplica shop) => SyncAsync(shop, _address);

    /// <summary>
    /// Syncs through a proxy that keeps what the hub sent: the lines of that one session (over a WebSocket, with the frames'
    /// headers among them; what the server sends is not masked).
    /// </summary>
    public async Task<IReadOnlyList<string>> SyncThroughProxyAsync(ShopReplica shop)
    {
        await using var proxy = new CuttingProxy(new IPEndPoint(IPAddress.Loopback, _address.Port));
        await SyncAsync(shop, new UriBuilder(_address) { Port = proxy.Address.Port }.Uri);
        return proxy.LinesToClient;
    }

    private async Task<SyncResult> SyncAsync(ShopReplica shop, Uri address)
    {
        await using var db = shop.Open();
        return await db.Liblim().SyncWithAsync(address, _app is null
            ? new LiblimClientOptions { Secret = TcpPeer.Secret, Limits = _limits }
            : new LiblimClientOptions { AccessToken = TokenFor(shop), Limits = _limits });
    }

    /// <summary>A token for a shop's device, with its shop as a claim.</summary>
    public string TokenFor(ShopReplica shop)
    {
        var name = shop == A ? "a" : "b";
        return TestTokens.For($"till-{name}", TimeSpan.FromMinutes(5), claims: [new Claim("shop", name)]);
    }

    public async Task<List<Guid>> OrdersAsync(ShopReplica replica)
    {
        await using var db = replica.Open();
        return await db.Orders.Select(o => o.Id).ToListAsync();
    }

    public async Task<List<Guid>> LinesAsync(ShopReplica replica)
    {
        await using var db = replica.Open();
        return await db.Lines.Select(l => l.Id).ToListAsync();
    }

    public async Task<ShopOrder?> HubOrderAsync(Guid id)
    {
        await using var db = Hub.Open();
        return await db.Orders.AsNoTracking().SingleOrDefaultAsync(o => o.Id == id);
    }

    /// <summary>The rows of a replica, as text, sorted: orders, lines (with their order's shop), products, notes.</summary>
    public static async Task<List<string>> RowsAsync(ShopReplica replica)
    {
        await using var db = replica.Open();
        var rows = new List<string>();
        rows.AddRange((await db.Orders.AsNoTracking().ToListAsync()).Select(o => $"order {o.Id} {o.ShopId} {o.Customer}"));
        rows.AddRange((await db.Lines.AsNoTracking().Include(l => l.Order).ToListAsync()).Select(l => $"line {l.Id} of {l.OrderId} ({l.Order.ShopId}) {l.ProductId} x{l.Quantity}"));
        rows.AddRange((await db.Products.AsNoTracking().ToListAsync()).Select(p => $"product {p.Id} {p.Name}"));
        rows.AddRange((await db.Notes.AsNoTracking().ToListAsync()).Select(n => $"note {n.Id} {n.Text}"));
        rows.Sort(StringComparer.Ordinal);
        return rows;
    }

    /// <summary>What a shop's rules give it of the hub's rows: its orders and their lines, and the catalogue.</summary>
    public async Task<List<string>> ScopeAtHubAsync(string shop)
        => [.. (await RowsAsync(Hub)).Where(r => r.StartsWith("product ", StringComparison.Ordinal)
                                                 || (r.StartsWith("order ", StringComparison.Ordinal) && r.Split(' ')[2] == shop)
                                                 || (r.StartsWith("line ", StringComparison.Ordinal) && r.Contains($"({shop})", StringComparison.Ordinal)))];

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        Hub.Dispose();
        A.Dispose();
        B.Dispose();
    }

    public static async Task<Guid> NodeOf(ShopReplica replica)
    {
        await using var db = replica.Open();
        return await db.Liblim().GetNodeIdAsync();
    }
}
