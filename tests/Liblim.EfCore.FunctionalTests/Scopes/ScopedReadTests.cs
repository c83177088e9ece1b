using System.Net;
using System.Security.Claims;
using Liblim.EfCore.FunctionalTests.Hub;
using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Tcp;
using Microsoft.EntityFrameworkCore;
using Xunit;

namespace Liblim.EfCore.FunctionalTests.Scopes;

/// <summary>
/// A hub with scope rules over TCP: two shops and a head office, each syncing with a hub that holds every shop's orders.
/// Each device ends up with exactly the rows its rules give it, and the bytes the hub sends a shop never hold a key or a
/// value of another shop's rows.
/// </summary>
public sealed class ScopedReadTests
{
    private static readonly Product Bread = new() { Id = Guid.Parse("0b000000-0000-0000-0000-000000000001"), Name = "bread" };
    private static readonly Product Milk = new() { Id = Guid.Parse("0b000000-0000-0000-0000-000000000002"), Name = "milk" };

    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public async Task Each_shop_receives_exactly_its_orders_with_their_lines_and_the_catalogue_and_no_byte_of_the_rest(DatabaseKind hubDatabase)
    {
        using var hub = new ShopReplica(hubDatabase, "hub");
        using var shopA = new ShopReplica(DatabaseKind.Sqlite, "shop-a");
        using var shopB = new ShopReplica(DatabaseKind.Sqlite, "shop-b");
        using var office = new ShopReplica(DatabaseKind.Sqlite, "office");
        var claims = new Dictionary<Guid, Claim[]>
        {
            [await NodeOf(shopA)] = [new("shop", "a")],
            [await NodeOf(shopB)] = [new("shop", "b")],
            [await NodeOf(office)] = [new("role", "office")],
        };
        await using var server = await LiblimServer.StartAsync(new ShopFactory(hub), new LiblimServerOptions
        {
            Endpoint = new IPEndPoint(IPAddress.Loopback, 0),
            SecretForPeer = _ => TcpPeer.Secret,
            ClaimsForPeer = node => claims.GetValueOrDefault(node) ?? [],
            Scopes = new LiblimScopes()
                .Scope<ShopOrder>((order, peer) => order.ShopId == peer.Claim("shop") || peer.Claim("role") == "office")
                .Scope<ShopOrderLine>((line, peer) => line.Order.ShopId == peer.Claim("shop") || peer.Claim("role") == "office")
                .ReadOnly<Product>(),
        });

        var (_, b1, note) = await SeedAsync(hub);
        var toA = await SyncThroughProxyAsync(shopA, server);
        await SyncAsync(shopB, server);
        await SyncAsync(office, server);

        Assert.Equal(Expected(await ShopHub.RowsAsync(hub), "a"), await ShopHub.RowsAsync(shopA));
        Assert.Equal(Expected(await ShopHub.RowsAsync(hub), "b"), await ShopHub.RowsAsync(shopB));
        Assert.Equal(Expected(await ShopHub.RowsAsync(hub), shop: null), await ShopHub.RowsAsync(office));
        AssertNothingOf(toA, b1, note);

        // The hub's B order changes, and shop B adds one on its device: shop A's next sync carries no row line at all.
        await using (var db = hub.Open())
        {
            (await db.Orders.SingleAsync(o => o.Id == b1.Id)).Customer = "Bob Jr.";
            await db.SaveChangesAsync();
        }

        var b2 = Order("b", "Beatrice", Line(Bread, 5));
        await using (var db = shopB.Open())
        {
            db.Orders.Add(b2);
            await db.SaveChangesAsync();
        }

        await SyncAsync(shopB, server);
        var quiet = await SyncThroughProxyAsync(shopA, server);
        Assert.DoesNotContain(quiet, l => l.Contains(":{", StringComparison.Ordinal));

        // A new order of shop A's on the hub reaches A alone, and the office.
        var a2 = Order("a", "Anna", Line(Milk, 4));
        await using (var db = hub.Open())
        {
            db.Orders.Add(a2);
            await db.SaveChangesAsync();
        }

        var toA2 = await SyncThroughProxyAsync(shopA, server);
        await SyncAsync(shopB, server);
        await SyncAsync(office, server);
        var atHub = await ShopHub.RowsAsync(hub);
        Assert.Equal(Expected(atHub, "a"), await ShopHub.RowsAsync(shopA));
        Assert.Equal(Expected(atHub, "b"), await ShopHub.RowsAsync(shopB));
        Assert.Equal(Expected(atHub, shop: null), await ShopHub.RowsAsync(office));
        Assert.Contains(toA2, l => l.Contains(a2.Id.ToString(), StringComparison.Ordinal));
        AssertNothingOf(toA2, b2, note);
        Assert.DoesNotContain(toA2, l => l.Contains("Bob Jr.", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(DatabaseKind.Sqlite)]
    [InlineData(DatabaseKind.Postgres)]
    public async Task Over_websockets_each_shop_receives_what_the_rules_give_the_claims_of_its_token(DatabaseKind hubDatabase)
    {
        using var hub = new ShopReplica(hubDatabase, "hub");
        using var shopA = new ShopReplica(DatabaseKind.Sqlite, "shop-a");
        using var shopB = new ShopReplica(DatabaseKind.Sqlite, "shop-b");
        var (app, address, _) = await HubHost.StartAppAsync(new ShopFactory(hub), o => o
            .Scope<ShopOrder>((order, peer) => order.ShopId == peer.Claim("shop"))
            .Scope<ShopOrderLine>((line, peer) => line.Order.ShopId == peer.Claim("shop"))
            .ReadOnly<Product>());
        await using (app)
        {
            await SeedAsync(hub);
            foreach (var (device, shop) in new[] { (shopA, "a"), (shopB, "b") })
            {
                await using var db = device.Open();
                var token = TestTokens.For($"till-{shop}", TimeSpan.FromMinutes(5), claims: [new Claim("shop", shop)]);
                await db.Liblim().SyncWithAsync(address, new LiblimClientOptions { AccessToken = token });
            }

            var atHub = await ShopHub.RowsAsync(hub);
            Assert.Equal(Expected(atHub, "a"), await ShopHub.RowsAsync(shopA));
            Assert.Equal(Expected(atHub, "b"), await ShopHub.RowsAsync(shopB));
            Assert.NotEqual(await ShopHub.RowsAsync(shopA), await ShopHub.RowsAsync(shopB));
        }
    }

    [Fact]
    public async Task A_rule_for_an_entity_the_model_does_not_replicate_stops_the_server_from_starting()
    {
        using var hub = new ShopReplica(DatabaseKind.Sqlite, "hub");
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => LiblimServer.StartAsync(new ShopFactory(hub), new LiblimServerOptions
        {
            Endpoint = new IPEndPoint(IPAddress.Loopback, 0),
            SecretForPeer = _ => TcpPeer.Secret,
            Scopes = new LiblimScopes().Scope<Uri>((uri, peer) => uri.Host == peer.Claim("host")),
        }));
        Assert.Contains("Uri", error.Message, StringComparison.Ordinal);
        Assert.Contains("not a replicated entity", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tcp_server_with_rules_and_one_secret_for_every_peer_is_refused_since_a_peer_could_present_another_node_id()
    {
        using var hub = new ShopReplica(DatabaseKind.Sqlite, "hub");
        var error = await Assert.ThrowsAsync<ArgumentException>(() => LiblimServer.StartAsync(new ShopFactory(hub), new LiblimServerOptions
        {
            Endpoint = new IPEndPoint(IPAddress.Loopback, 0),
            Secret = TcpPeer.Secret,
            Scopes = ShopHub.Rules(new LiblimScopes()),
        }));
        Assert.Contains("SecretForPeer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_entity_given_two_rules_is_refused_with_a_message_that_says_to_combine_them()
    {
        var scopes = new LiblimScopes().ReadOnly<Product>();
        var error = Assert.Throws<ArgumentException>(() => scopes.Scope<Product>((p, peer) => p.Name == peer.Claim("name")));
        Assert.Contains("one rule", error.Message, StringComparison.Ordinal);
    }

    /// <summary>The catalogue, an order of each shop (with lines) and a staff note, written at the hub.</summary>
    private static async Task<(ShopOrder A1, ShopOrder B1, StaffNote Note)> SeedAsync(ShopReplica hub)
    {
        var a1 = Order("a", "Alice", Line(Bread, 2), Line(Milk, 1));
        var b1 = Order("b", "Bob", Line(Milk, 3));
        var note = new StaffNote { Id = Guid.NewGuid(), Text = "inventory on Friday" };
        await using var db = hub.Open();
        db.Products.AddRange(Clone(Bread), Clone(Milk));
        db.Orders.AddRange(a1, b1);
        db.Notes.Add(note);
        await db.SaveChangesAsync();
        return (a1, b1, note);
    }

    private static ShopOrder Order(string shop, string customer, params ShopOrderLine[] lines)
        => new() { Id = Guid.NewGuid(), ShopId = shop, Customer = customer, Lines = [.. lines] };

    private static ShopOrderLine Line(Product product, int quantity) => new() { Id = Guid.NewGuid(), ProductId = product.Id, Quantity = quantity };

    private static Product Clone(Product product) => new() { Id = product.Id, Name = product.Name };

    private static async Task<Guid> NodeOf(ShopReplica replica)
    {
        await using var db = replica.Open();
        return await db.Liblim().GetNodeIdAsync();
    }

    private static async Task SyncAsync(ShopReplica device, LiblimServer server)
    {
        await using var db = device.Open();
        await db.Liblim().SyncWithAsync(new Uri($"liblim://127.0.0.1:{server.Endpoint.Port}"), TcpPeer.Secret);
    }

    /// <summary>Syncs through a proxy that keeps what the hub sent: the lines of that one session.</summary>
    private static async Task<IReadOnlyList<string>> SyncThroughProxyAsync(ShopReplica device, LiblimServer server)
    {
        await using var proxy = new CuttingProxy(server.Endpoint);
        await using var db = device.Open();
        await db.Liblim().SyncWithAsync(proxy.Address, TcpPeer.Secret);
        return proxy.LinesToClient;
    }

    private static void AssertNothingOf(IReadOnlyList<string> lines, ShopOrder order, StaffNote note)
    {
        string[] secrets = [order.Id.ToString(), order.Customer, .. order.Lines.Select(l => l.Id.ToString()), note.Id.ToString(), note.Text];
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(lines, l => l.Contains(secret, StringComparison.Ordinal));
        }
    }

    /// <summary>What a shop's rules give it of the hub's rows (every order and line for the office, <paramref name="shop"/> null); notes never.</summary>
    private static List<string> Expected(List<string> hub, string? shop)
        => hub.Where(r => r.StartsWith("product ", StringComparison.Ordinal)
                          || (r.StartsWith("order ", StringComparison.Ordinal) && (shop is null || r.Split(' ')[2] == shop))
                          || (r.StartsWith("line ", StringComparison.Ordinal) && (shop is null || r.Contains($"({shop})", StringComparison.Ordinal))))
            .ToList();
}
