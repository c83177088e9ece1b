using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Liblim.EfCore.DocSnippets.Readme;

/// <summary>README.md, "Usage": the blocks after the model, each in a method whose parameters are what the block takes as given.</summary>
internal static class Usage
{
    public static async Task TwoDatabasesAsync(DbContextOptions<TodoDb> laptopOptions)
    {
        var phoneOptions = new DbContextOptionsBuilder<TodoDb>().UseSqlite("Data Source=phone.db").UseLiblim().Options;
        await using var phone = new TodoDb(phoneOptions);     // ordinary EF Core: Add, change, Remove, SaveChanges
        await using var laptop = new TodoDb(laptopOptions);
        SyncResult r = await phone.Liblim().SyncWithAsync(laptop);   // two-way; r.RowsSent, r.RowsReceived, r.RowsApplied
    }

    public static async Task OverTcpAsync(IDbContextFactory<TodoDb> dbContextFactory, string secret, TodoDb db, IProgress<SyncProgress> progress, IServiceCollection services, CancellationToken ct)
    {
        // serve this database to peers
        await using var server = await LiblimServer.StartAsync(dbContextFactory,
            new LiblimServerOptions { Endpoint = new IPEndPoint(IPAddress.Loopback, 4242), Secret = secret });

        // one-shot two-way sync with a peer (liblims:// for TLS)
        SyncResult r = await db.Liblim().SyncWithAsync(new Uri("liblim://127.0.0.1:4242"), secret, progress, ct);

        // in an app host: listen, and stay in sync with known peers (changes are pushed as they are saved)
        services.AddDbContextFactory<TodoDb>(o => o.UseSqlite("Data Source=phone.db").UseLiblim());
        services.AddLiblimSync<TodoDb>(o => { o.Peers.Add(new Uri("liblim://hub:4242")); o.Secret = secret; });
    }

    public static async Task InAspNetCoreAsync(WebApplicationBuilder builder, string cs, ShopDb db, string token, ITokenSource tokens, IServiceCollection services)
    {
        // server: an ordinary ASP.NET Core app
        builder.Services.AddDbContextFactory<ShopDb>(o => o.UseNpgsql(cs).UseLiblim());
        builder.Services.AddAuthentication().AddJwtBearer();                 // the app's own
        builder.Services.AddLiblimHub<ShopDb>();
        builder.Services.AddHealthChecks().AddLiblim<ShopDb>();
        var app = builder.Build();
        app.UseAuthentication(); app.UseAuthorization();
        app.MapLiblim<ShopDb>("/liblim").RequireAuthorization();            // an endpoint like any other

        // client: one-shot, and the hosted service
        SyncResult r = await db.Liblim().SyncWithAsync(new Uri("wss://shop.example/liblim"), new LiblimClientOptions { AccessToken = token });
        services.AddLiblimSync<ShopDb>(o => { o.Peers.Add(new Uri("wss://shop.example/liblim")); o.AccessTokenProvider = ct => tokens.GetAsync(ct); });
    }

    public static void Scopes(WebApplicationBuilder builder)
    {
        builder.Services.AddLiblimHub<ShopDb>(o => o
            .Scope<Order>((order, peer) => order.ShopId == peer.Claim("shop"))
            .Scope<OrderLine>((line, peer) => line.Order.ShopId == peer.Claim("shop"))   // through a navigation
            .ReadOnly<Product>());                                                       // every device receives the catalogue
    }

    public static async Task ConflictsAsync(TodoDb db)
    {
        foreach (var c in await db.Liblim().GetConflictsAsync(new ConflictQuery { EntityType = typeof(TodoItem), Since = DateTimeOffset.UtcNow.AddDays(-1) }))
        {
            Console.WriteLine(c);   // TodoItem ["…"] Title: "Buy oat milk" (node 9f…, 2026-12-07 10:02:01Z) won over "Buy milk" (node 3a…, 2026-12-07 10:01:40Z), decided …
        }

        var lost = (await db.Liblim().GetConflictsAsync()).First();
        await db.Liblim().RestoreAsync(lost);   // the losing value, written again: it wins everywhere
    }
}
