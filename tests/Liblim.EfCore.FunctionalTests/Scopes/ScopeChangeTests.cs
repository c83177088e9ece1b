using System.Net;
using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Tcp;
using Microsoft.EntityFrameworkCore;
using Xunit;

namespace Liblim.EfCore.FunctionalTests.Scopes;

/// <summary>
/// Rows that leave a shop's scope, come back, or are deleted at a hub with scope rules: the shop that held such a row
/// forgets it or deletes it, tells no one, and a shop that never held it hears nothing of it.
/// </summary>
public sealed class ScopeChangeTests
{
    [Theory]
    [InlineData(DatabaseKind.Sqlite, false)]
    [InlineData(DatabaseKind.Postgres, false)]
    [InlineData(DatabaseKind.Postgres, true)]
    public async Task An_order_moved_to_another_shop_leaves_the_first_as_an_eviction_reaches_the_second_whole_and_comes_back_whole(DatabaseKind hubDatabase, bool overWebSockets)
    {
        await using var shops = await ShopHub.StartAsync(hubDatabase, overWebSockets);
        var moved = new ShopOrder { Id = Guid.NewGuid(), ShopId = "a", Customer = "Alice" };
        var deleted = new ShopOrder { Id = Guid.NewGuid(), ShopId = "a", Customer = "Arthur" };
        var kept = new ShopOrder { Id = Guid.NewGuid(), ShopId = "a", Customer = "Ada" };
        await shops.AtHubAsync(db => db.Orders.AddRange(moved, deleted, kept));
        await shops.SyncAsync(shops.A);
        await shops.SyncAsync(shops.B);
        Assert.Equal(Sorted([moved.Id, deleted.Id, kept.Id]), Sorted(await shops.OrdersAsync(shops.A)));

        // At the hub, one order moves to shop B and gets a new customer there; another is deleted.
        await shops.AtHubAsync(async db =>
        {
            var order = await db.Orders.SingleAsync(o => o.Id == moved.Id);
            order.ShopId = "b";
            order.Customer = "Bob's customer now";
            db.Orders.Remove(await db.Orders.SingleAsync(o => o.Id == deleted.Id));
        });
        var toA = await shops.SyncThroughProxyAsync(shops.A);
        var toB = await shops.SyncThroughProxyAsync(shops.B);

        Assert.Equal([kept.Id], await shops.OrdersAsync(shops.A));
        Assert.Equal([moved.Id], await shops.OrdersAsync(shops.B));
        Assert.Contains(toA, l => l.StartsWith("NOMOAR ", StringComparison.Ordinal) && l.Contains(moved.Id.ToString(), StringComparison.Ordinal));
        var deleteLine = Assert.Single(toA, l => l.Contains(deleted.Id.ToString(), StringComparison.Ordinal));
        Assert.DoesNotContain("\"v\"", deleteLine, StringComparison.Ordinal); // the tombstones alone, no value
        Assert.DoesNotContain(toA, l => l.Contains("Bob's customer now", StringComparison.Ordinal));
        Assert.DoesNotContain(toB, l => l.Contains(deleted.Id.ToString(), StringComparison.Ordinal) || l.StartsWith("NOMOAR ", StringComparison.Ordinal));
        Assert.Contains(toB, l => l.Contains("Bob's customer now", StringComparison.Ordinal)); // whole, as a new row

        // Forgetting is not deleting: shop A sends nothing of it, and the hub and shop B keep the order.
        await shops.SyncAsync(shops.A);
        await shops.SyncAsync(shops.B);
        Assert.Equal([moved.Id], await shops.OrdersAsync(shops.B));
        Assert.Equal("Bob's customer now", (await shops.HubOrderAsync(moved.Id))?.Customer);

        // It comes back to shop A: whole there (A had forgotten it), evicted from B.
        await shops.AtHubAsync(async db => (await db.Orders.SingleAsync(o => o.Id == moved.Id)).ShopId = "a");
        await shops.SyncAsync(shops.A);
        await shops.SyncAsync(shops.B);
        Assert.Equal(Sorted([moved.Id, kept.Id]), Sorted(await shops.OrdersAsync(shops.A)));
        Assert.Empty(await shops.OrdersAsync(shops.B));
        await using (var db = shops.A.Open())
        {
            Assert.Equal("Bob's customer now", (await db.Orders.SingleAsync(o => o.Id == moved.Id)).Customer);
        }
    }

    [Theory]
    [InlineData(DatabaseKind.Sqlite, false)]
    [InlineData(DatabaseKind.Postgres, false)]
    [InlineData(DatabaseKind.Postgres, true)]
    public async Task The_lines_of_an_order_follow_it_between_shops_though_they_do_not_change_themselves(DatabaseKind hubDatabase, bool overWebSockets)
    {
        await using var shops = await ShopHub.StartAsync(hubDatabase, overWebSockets);
        var bread = new Product { Id = Guid.NewGuid(), Name = "bread" };
        var order = new ShopOrder { Id = Guid.NewGuid(), ShopId = "a", Customer = "Alice" };
        ShopOrderLine[] lines = [new() { Id = Guid.NewGuid(), OrderId = order.Id, ProductId = bread.Id, Quantity = 2 },
            new() { Id = Guid.NewGuid(), OrderId = order.Id, ProductId = bread.Id, Quantity = 3 }];
        await shops.AtHubAsync(db =>
        {
            db.Products.Add(bread);
            db.Orders.Add(order);
            db.Lines.AddRange(lines);
        });
        await shops.SyncAsync(shops.A);
        await shops.SyncAsync(shops.B);
        Assert.Equal(Sorted(lines.Select(l => l.Id)), Sorted(await shops.LinesAsync(shops.A)));
        Assert.Empty(await shops.LinesAsync(shops.B));

        await shops.AtHubAsync(async db => (await db.Orders.SingleAsync(o => o.Id == order.Id)).ShopId = "b");
        var toA = await shops.SyncThroughProxyAsync(shops.A);
        await shops.SyncAsync(shops.B);

        Assert.Empty(await shops.LinesAsync(shops.A));
        Assert.Empty(await shops.OrdersAsync(shops.A));
        Assert.All(lines, l => Assert.Contains(toA, t => t.StartsWith("NOMOAR ", StringComparison.Ordinal) && t.Contains(l.Id.ToString(), StringComparison.Ordinal)));
        Assert.Equal(Sorted(lines.Select(l => l.Id)), Sorted(await shops.LinesAsync(shops.B)));

        await shops.AtHubAsync(async db => (await db.Orders.SingleAsync(o => o.Id == order.Id)).ShopId = "a");
        await shops.SyncAsync(shops.A);
        await shops.SyncAsync(shops.B);
        Assert.Equal(Sorted(lines.Select(l => l.Id)), Sorted(await shops.LinesAsync(shops.A)));
        Assert.Empty(await shops.LinesAsync(shops.B));
        Assert.Empty(await shops.OrdersAsync(shops.B));
    }

    [Fact]
    public async Task Rows_entering_or_leaving_a_scope_with_one_row_go_in_batches_the_peer_takes_however_many_they_are()
    {
        // Pages of 4 rows, and a shop that takes at most 6 lines in a batch: an order with 12 lines moves between shops.
        var limits = new LiblimProtocolLimits { BatchSize = 4, MaxRowsPerBatch = 6 };
        await using var shops = await ShopHub.StartAsync(DatabaseKind.Sqlite, limits: limits);
        var bread = new Product { Id = Guid.NewGuid(), Name = "bread" };
        var order = new ShopOrder { Id = Guid.NewGuid(), ShopId = "a", Customer = "Alice" };
        order.Lines.AddRange(Enumerable.Range(1, 12).Select(i => new ShopOrderLine { Id = Guid.NewGuid(), ProductId = bread.Id, Quantity = i }));
        await shops.AtHubAsync(db =>
        {
            db.Products.Add(bread);
            db.Orders.Add(order);
        });
        await shops.SyncAsync(shops.A);
        await shops.SyncAsync(shops.B);
        Assert.Equal(12, (await shops.LinesAsync(shops.A)).Count);

        await shops.AtHubAsync(async db => (await db.Orders.SingleAsync(o => o.Id == order.Id)).ShopId = "b");
        var toA = await shops.SyncThroughProxyAsync(shops.A);
        await shops.SyncAsync(shops.B);

        Assert.Empty(await shops.LinesAsync(shops.A));
        Assert.Equal(13, toA.Count(l => l.StartsWith("NOMOAR ", StringComparison.Ordinal)));
        Assert.Equal(12, (await shops.LinesAsync(shops.B)).Count);
        Assert.Equal(await shops.ScopeAtHubAsync("a"), await ShopHub.RowsAsync(shops.A));
        Assert.Equal(await shops.ScopeAtHubAsync("b"), await ShopHub.RowsAsync(shops.B));
    }

    [Theory]
    [InlineData(DatabaseKind.Sqlite, false)]
    [InlineData(DatabaseKind.Postgres, true)]
    public async Task A_row_a_shop_may_see_brings_the_rows_it_references_which_the_shop_reads_and_may_not_write(DatabaseKind hubDatabase, bool overWebSockets)
    {
        // No rule names the catalogue: a shop gets only the products its lines reference, as references.
        await using var shops = await ShopHub.StartAsync(hubDatabase, overWebSockets, scopes => scopes
            .Scope<ShopOrder>((order, peer) => order.ShopId == peer.Claim("shop"))
            .Scope<ShopOrderLine>((line, peer) => line.Order.ShopId == peer.Claim("shop")));
        Product bread = new() { Id = Guid.NewGuid(), Name = "bread" }, milk = new() { Id = Guid.NewGuid(), Name = "milk" }, salt = new() { Id = Guid.NewGuid(), Name = "salt" };
        var order = new ShopOrder { Id = Guid.NewGuid(), ShopId = "a", Customer = "Alice", Lines = [new() { Id = Guid.NewGuid(), ProductId = bread.Id, Quantity = 1 }] };
        var other = new ShopOrder { Id = Guid.NewGuid(), ShopId = "b", Customer = "Bob", Lines = [new() { Id = Guid.NewGuid(), ProductId = milk.Id, Quantity = 2 }] };
        await shops.AtHubAsync(db =>
        {
            db.Products.AddRange(bread, milk, salt);
            db.Orders.AddRange(order, other);
        });
        await shops.SyncAsync(shops.A);
        Assert.Equal(["bread"], await ProductsAsync(shops.A));
        Assert.Single(await shops.LinesAsync(shops.A)); // shown: its product came with it

        // The reference goes on changing at the shop, and does not leave it when it changes.
        await shops.AtHubAsync(async db => (await db.Products.SingleAsync(p => p.Id == bread.Id)).Name = "sourdough");
        await shops.SyncAsync(shops.A);
        Assert.Equal(["sourdough"], await ProductsAsync(shops.A));

        // The shop may not write it: refused, and undone by the hub's row, which it keeps.
        await using (var db = shops.A.Open())
        {
            (await db.Products.SingleAsync(p => p.Id == bread.Id)).Name = "cake";
            await db.SaveChangesAsync();
        }

        var result = await shops.SyncAsync(shops.A);
        Assert.Contains(result.Refused, r => r.Table == "Products");
        await shops.SyncAsync(shops.A);
        Assert.Equal(["sourdough"], await ProductsAsync(shops.A));
        Assert.Equal(["sourdough", "milk", "salt"], (await ProductsAsync(shops.Hub)).OrderBy(n => n != "sourdough").ThenBy(n => n));
    }

    private static async Task<List<string>> ProductsAsync(ShopReplica replica)
    {
        await using var db = replica.Open();
        return await db.Products.Select(p => p.Name).ToListAsync();
    }

    [Fact]
    public async Task A_rule_that_reads_through_a_collection_is_refused_when_the_server_starts()
    {
        using var hub = new ShopReplica(DatabaseKind.Sqlite, "hub");
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => LiblimServer.StartAsync(new ShopFactory(hub), new LiblimServerOptions
        {
            Endpoint = new IPEndPoint(IPAddress.Loopback, 0),
            SecretForPeer = _ => TcpPeer.Secret,
            Scopes = new LiblimScopes().Scope<ShopOrder>((order, peer) => order.Lines.Any(l => l.Quantity.ToString() == peer.Claim("quantity"))),
        }));
        Assert.Contains("ShopOrder.Lines", error.Message, StringComparison.Ordinal);
    }

    private static List<Guid> Sorted(IEnumerable<Guid> ids) => [.. ids.Order()];
}
