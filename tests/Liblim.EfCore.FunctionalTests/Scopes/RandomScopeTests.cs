using Liblim.EfCore.FunctionalTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Xunit;

namespace Liblim.EfCore.FunctionalTests.Scopes;

/// <summary>
/// Random edits at a hub with scope rules and on two shops' devices: orders created, edited, moved between the shops and
/// deleted at the hub; orders and lines created, edited and deleted on the devices, some on rows the hub has meanwhile
/// moved away. After every sync, the device holds exactly the rows of its scope at the hub, with the hub's values.
/// </summary>
public sealed class RandomScopeTests
{
    private const int Steps = 100;

    [Theory]
    [InlineData(DatabaseKind.Sqlite, false, 1)]
    [InlineData(DatabaseKind.Sqlite, false, 2)]
    [InlineData(DatabaseKind.Sqlite, true, 3)]
    [InlineData(DatabaseKind.Postgres, false, 4)]
    [InlineData(DatabaseKind.Postgres, true, 5)]
    public async Task After_every_sync_a_shop_holds_exactly_its_scope_at_the_hub(DatabaseKind hubDatabase, bool overWebSockets, int seed)
    {
        var random = new Random(seed);
        await using var shops = await ShopHub.StartAsync(hubDatabase, overWebSockets);
        var products = Enumerable.Range(0, 3).Select(i => new Product { Id = random.NextGuid(), Name = $"product {i}" }).ToList();
        await shops.AtHubAsync(db => db.Products.AddRange(products));
        var devices = new[] { (Replica: shops.A, Shop: "a"), (Replica: shops.B, Shop: "b") };
        foreach (var (device, _) in devices)
        {
            await shops.SyncAsync(device); // the catalogue, which the devices' lines reference
        }

        for (var step = 0; step < Steps; step++)
        {
            var (device, shop) = devices[random.Next(devices.Length)];
            switch (random.Next(4))
            {
                case 0:
                    await shops.AtHubAsync(db => EditAtHubAsync(db, random, products));
                    break;
                case 1:
                    await using (var db = device.Open())
                    {
                        await EditOnDeviceAsync(db, random, shop, products);
                        await db.SaveChangesAsync();
                    }

                    break;
                default:
                    await shops.SyncAsync(device);
                    Assert.Equal(await shops.ScopeAtHubAsync(shop), await ShopHub.RowsAsync(device));
                    Assert.DoesNotContain(await ShopHub.RowsAsync(shops.Hub), r => r.Contains("refused", StringComparison.Ordinal));
                    break;
            }
        }

        foreach (var (device, shop) in devices)
        {
            await shops.SyncAsync(device);
            Assert.Equal(await shops.ScopeAtHubAsync(shop), await ShopHub.RowsAsync(device));
        }
    }

    private static async Task EditAtHubAsync(ShopDb db, Random random, List<Product> products)
    {
        var orders = await db.Orders.OrderBy(o => o.Id).ToListAsync();
        switch (random.Next(4))
        {
            case 0 or 1 when orders.Count > 0:
                var moved = orders[random.Next(orders.Count)];
                moved.ShopId = moved.ShopId == "a" ? "b" : "a";
                break;
            case 2 when orders.Count > 0:
                db.Orders.Remove(orders[random.Next(orders.Count)]);
                break;
            default:
                db.Orders.Add(NewOrder(random, random.Next(2) == 0 ? "a" : "b", products));
                break;
        }
    }

    private static async Task EditOnDeviceAsync(ShopDb db, Random random, string shop, List<Product> products)
    {
        var orders = await db.Orders.OrderBy(o => o.Id).ToListAsync();
        var lines = await db.Lines.OrderBy(l => l.Id).ToListAsync();
        switch (random.Next(7))
        {
            case 0 when orders.Count > 0:
                orders[random.Next(orders.Count)].Customer = $"customer {random.Next(1000)}";
                break;

            // Writes no shop may make: the hub refuses them, and none of their values ever reaches it.
            case 4:
                var foreign = NewOrder(random, shop == "a" ? "b" : "a", products);
                foreign.Customer = Refused(random);
                db.Orders.Add(foreign);
                break;
            case 5 when orders.Count > 0:
                var leaving = orders[random.Next(orders.Count)];
                leaving.ShopId = shop == "a" ? "b" : "a";
                leaving.Customer = Refused(random);
                break;
            case 6:
                (await db.Products.OrderBy(p => p.Id).FirstAsync()).Name = Refused(random);
                break;
            case 1 when orders.Count > 0:
                db.Lines.Add(new ShopOrderLine { Id = random.NextGuid(), OrderId = orders[random.Next(orders.Count)].Id, ProductId = products[random.Next(products.Count)].Id, Quantity = random.Next(1, 9) });
                break;
            case 2 when lines.Count > 0:
                db.Lines.Remove(lines[random.Next(lines.Count)]);
                break;
            default:
                db.Orders.Add(NewOrder(random, shop, products));
                break;
        }
    }

    /// <summary>A value only a refused write holds.</summary>
    private static string Refused(Random random) => $"refused {random.Next(1_000_000)}";

    private static ShopOrder NewOrder(Random random, string shop, List<Product> products)
    {
        var order = new ShopOrder { Id = random.NextGuid(), ShopId = shop, Customer = $"customer {random.Next(1000)}" };
        for (var i = random.Next(3); i > 0; i--)
        {
            order.Lines.Add(new ShopOrderLine { Id = random.NextGuid(), ProductId = products[random.Next(products.Count)].Id, Quantity = random.Next(1, 9) });
        }

        return order;
    }
}
