using System.Collections.Concurrent;
using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Tcp;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace Liblim.EfCore.FunctionalTests.Scopes;

/// <summary>
/// A shop's app keeps a live session with a hub with scope rules (<c>AddLiblimSync</c>): an order moved away at the hub
/// leaves the shop's database while the session runs, and a write outside the shop's scope is refused and undone there,
/// the app hearing of both through its rows-changed event.
/// </summary>
public sealed class LiveScopeTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task On_a_live_session_an_order_moved_away_is_evicted_and_a_write_outside_the_scope_is_refused_and_undone(bool overWebSockets)
    {
        await using var shops = await ShopHub.StartAsync(DatabaseKind.Sqlite, overWebSockets);
        var order = new ShopOrder { Id = Guid.NewGuid(), ShopId = "a", Customer = "Alice" };
        await shops.AtHubAsync(db => db.Orders.Add(order));
        var events = new ConcurrentQueue<RowsChangedEventArgs>();
        var app = await StartAppAsync(shops, events);
        try
        {
            await SyncHost.EventuallyAsync(() => events.Any(e => e.Rows.Any(r => r.Key.Contains(order.Id.ToString(), StringComparison.Ordinal))), "the shop has the order");
            await shops.AtHubAsync(async db => (await db.Orders.SingleAsync(o => o.Id == order.Id)).ShopId = "b");
            await SyncHost.EventuallyAsync(() => events.Any(e => e.Rows.Any(r => r.Change == RowChange.Evicted)), "the order has left the shop");
            Assert.Empty(await shops.OrdersAsync(shops.A));

            var foreign = new ShopOrder { Id = Guid.NewGuid(), ShopId = "b", Customer = "not for shop A to write" };
            await using (var db = shops.A.Open())
            {
                db.Orders.Add(foreign);
                await db.SaveChangesAsync();
            }

            await SyncHost.EventuallyAsync(() => events.Any(e => e.Refused.Any(r => r.Key.Contains(foreign.Id.ToString(), StringComparison.Ordinal))), "the hub has refused the write");
            await SyncHost.EventuallyAsync(() => shops.OrdersAsync(shops.A).GetAwaiter().GetResult().Count == 0, "the refused order has left the shop");
            Assert.Null(await shops.HubOrderAsync(foreign.Id));
        }
        finally
        {
            foreach (var hosted in app.GetServices<IHostedService>())
            {
                await hosted.StopAsync(CancellationToken.None);
            }

            await app.DisposeAsync();
        }
    }

    /// <summary>Shop A's app: its database, and the sync service keeping a live session with the hub.</summary>
    private static async Task<ServiceProvider> StartAppAsync(ShopHub shops, ConcurrentQueue<RowsChangedEventArgs> events)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDbContextFactory<ShopDb>(o => o.UseSqlite(shops.A.ConnectionString).UseLiblim());
        services.AddLiblimSync<ShopDb>(o =>
        {
            o.Peers.Add(shops.Address);
            if (shops.Address.Scheme == "liblim")
            {
                o.Secret = TcpPeer.Secret;
            }
            else
            {
                o.AccessTokenProvider = _ => ValueTask.FromResult<string?>(shops.TokenFor(shops.A));
            }
        });
        var provider = services.BuildServiceProvider();
        provider.GetRequiredService<LiblimSyncService<ShopDb>>().RowsChanged += (_, e) => events.Enqueue(e);
        foreach (var hosted in provider.GetServices<IHostedService>())
        {
            await hosted.StartAsync(CancellationToken.None);
        }

        return provider;
    }
}
