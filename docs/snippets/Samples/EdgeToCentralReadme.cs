using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Liblim.EfCore.DocSnippets.Samples;

public class Product
{
    public string Sku { get; set; } = "";
}

public class Sale
{
    public Guid Id { get; set; }

    public string Shop { get; set; } = "";
}

public class ShopDb(DbContextOptions<ShopDb> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder b)
    {
        b.Entity<Product>().IsReplicated().HasKey(p => p.Sku);
        b.Entity<Sale>().IsReplicated(ReplicationKind.InsertOnly);
    }
}

/// <summary>samples/EdgeToCentral/README.md: the centre and a shop.</summary>
internal static class EdgeToCentralReadme
{
    public static async Task CentreAndShopAsync(WebApplicationBuilder builder, string pg, WebApplication app, string token)
    {
        // centre: one or several ASP.NET Core apps on the same PostgreSQL database
        builder.Services.AddDbContextFactory<ShopDb>(o => o.UseNpgsql(pg).UseLiblim());
        builder.Services.AddAuthentication().AddJwtBearer();                 // the app's own token validation
        builder.Services.AddLiblimHub<ShopDb>(o => o
            .Scope<Sale>((sale, peer) => sale.Shop == peer.Claim("shop"))     // each shop: its own sales
            .Scope<Product>((product, peer) => true));                         // every shop: the catalogue
        app.MapLiblim<ShopDb>("/liblim").RequireAuthorization();

        // shop
        var edge = new DbContextOptionsBuilder<ShopDb>().UseSqlite("Data Source=north.db").UseLiblim().Options;
        await using var db = new ShopDb(edge);
        await db.Liblim().SyncWithAsync(new Uri("wss://hub.example/liblim"), new LiblimClientOptions { AccessToken = token });
    }
}
