using EdgeToCentral;
using Liblim.EfCore;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

// EdgeToCentral demo --pg "<PostgreSQL connection string>"
// Two shops on SQLite sync with a central PostgreSQL database served by two hub processes (ASP.NET Core apps) at once;
// each shop holds the catalogue and its own sales only.
if (args.Length != 3 || args[0] != "demo" || args[1] != "--pg")
{
    Console.WriteLine("""
        EdgeToCentral: shops (edge devices on SQLite) sync with a central PostgreSQL database.

        Usage:
          samples/EdgeToCentral/run.sh        starts a throwaway PostgreSQL and runs the demo against it
          dotnet run --project samples/EdgeToCentral -- demo --pg "Host=...;Username=...;Database=..."
        """);
    return args.Length == 0 ? 0 : 2;
}

var centralOptions = new DbContextOptionsBuilder<ShopDb>().UseNpgsql(args[2]).UseLiblim().Options;
await using (var central = new ShopDb(centralOptions))
{
    await central.Database.EnsureDeletedAsync();
    await central.Database.EnsureCreatedAsync();
    central.Products.AddRange(
        new Product { Sku = "TEA-01", Name = "Green tea", Price = 4.50m },
        new Product { Sku = "MUG-02", Name = "Mug", Price = 9.00m });
    await central.SaveChangesAsync();
}

// Two hubs on the same database, each an ASP.NET Core app with its own port and connection pool, as two hub processes
// behind a load balancer would be; shops sync over WebSockets with a bearer token.
var hubs = new List<CentralHub>();
foreach (var name in new[] { "hub-a", "hub-b" })
{
    hubs.Add(await CentralHub.StartAsync(name, args[2]));
    Console.WriteLine($"{name} serves the central database on {hubs[^1].Address}");
}

var folder = Directory.CreateTempSubdirectory("edge-to-central-").FullName;
try
{
    var shops = new[] { "north", "south" };
    var edgeOptions = shops.ToDictionary(s => s, s => new DbContextOptionsBuilder<ShopDb>().UseSqlite($"Data Source={Path.Combine(folder, s + ".db")}").UseLiblim().Options);
    foreach (var (shop, options) in edgeOptions)
    {
        await using var db = new ShopDb(options);
        await db.Database.EnsureCreatedAsync();
    }

    Console.WriteLine();
    Console.WriteLine("1. Each shop syncs once to get the catalogue.");
    await SyncAllAsync();

    Console.WriteLine();
    Console.WriteLine("2. Offline: both shops sell, north renames the tea, the centre changes its price; south also records a sale for north.");
    await using (var db = new ShopDb(edgeOptions["north"]))
    {
        db.Sales.Add(new Sale { Id = Guid.NewGuid(), Shop = "north", Sku = "TEA-01", Quantity = 2, AtUtc = DateTime.UtcNow });
        (await db.Products.SingleAsync(p => p.Sku == "TEA-01")).Name = "Green tea (loose)";
        await db.SaveChangesAsync();
    }

    await using (var db = new ShopDb(edgeOptions["south"]))
    {
        db.Sales.Add(new Sale { Id = Guid.NewGuid(), Shop = "south", Sku = "MUG-02", Quantity = 1, AtUtc = DateTime.UtcNow });
        db.Sales.Add(new Sale { Id = Guid.NewGuid(), Shop = "south", Sku = "TEA-01", Quantity = 3, AtUtc = DateTime.UtcNow });
        // Not south's to record: the hub refuses it, and it leaves south's database.
        db.Sales.Add(new Sale { Id = Guid.NewGuid(), Shop = "north", Sku = "MUG-02", Quantity = 5, AtUtc = DateTime.UtcNow });
        await db.SaveChangesAsync();
    }

    await using (var db = new ShopDb(centralOptions))
    {
        (await db.Products.SingleAsync(p => p.Sku == "TEA-01")).Price = 4.90m;
        await db.SaveChangesAsync();
    }

    Console.WriteLine();
    Console.WriteLine("3. Back online: both shops sync at the same time, each through another hub; then once more.");
    await SyncAllAsync();
    await SyncAllAsync();

    Console.WriteLine();
    Console.WriteLine("4. What every database holds:");
    var views = new List<string>();
    views.Add(await DescribeAsync("central (PostgreSQL)", centralOptions));
    foreach (var (shop, options) in edgeOptions)
    {
        views.Add(await DescribeAsync($"{shop} (SQLite)", options));
    }

    // The catalogue is the same everywhere; each shop holds exactly its own sales, as the centre has them.
    var catalogues = new List<string> { await CatalogueAsync(centralOptions) };
    var ownSalesOnly = true;
    foreach (var (shop, options) in edgeOptions)
    {
        catalogues.Add(await CatalogueAsync(options));
        ownSalesOnly &= await SalesAsync(options, shop) == await SalesAsync(centralOptions, shop) && await SalesAsync(options, shop) == await SalesAsync(options, null);
    }

    Console.WriteLine(ownSalesOnly ? "each shop holds exactly its own sales: yes" : "each shop holds exactly its own sales: NO");
    var converged = catalogues.Distinct().Count() == 1 && ownSalesOnly;
    Console.WriteLine(converged ? "converged: yes" : "converged: NO");
    return converged ? 0 : 1;

    async Task SyncAllAsync()
        => await Task.WhenAll(edgeOptions.Select(async (edge, i) =>
        {
            await using var db = new ShopDb(edge.Value);
            var hub = hubs[i % hubs.Count];
            var r = await db.Liblim().SyncWithAsync(hub.Address, new LiblimClientOptions { AccessToken = CentralHub.TokenFor(edge.Key) });
            Console.WriteLine($"   {edge.Key} via {(i % hubs.Count == 0 ? "hub-a" : "hub-b")}: sent {r.RowsSent}, received {r.RowsReceived}, changed here {r.RowsApplied}" +
                              string.Concat(r.Refused.Select(refused => $"\n     refused by the hub: {refused.Table} {refused.Key}: {refused.Reason}")));
        }));
}
finally
{
    foreach (var hub in hubs)
    {
        await hub.DisposeAsync();
    }

    SqliteConnection.ClearAllPools();
    Directory.Delete(folder, recursive: true);
}

static async Task<string> CatalogueAsync(DbContextOptions<ShopDb> options)
{
    await using var db = new ShopDb(options);
    return string.Join('\n', (await db.Products.AsNoTracking().ToListAsync()).OrderBy(p => p.Sku, StringComparer.Ordinal).Select(p => $"{p.Sku} {p.Name} {p.Price:0.00}"));
}

// The sales of one shop (all of them when null), as text.
static async Task<string> SalesAsync(DbContextOptions<ShopDb> options, string? shop)
{
    await using var db = new ShopDb(options);
    var sales = await db.Sales.AsNoTracking().Where(s => shop == null || s.Shop == shop).ToListAsync();
    return string.Join('\n', sales.OrderBy(s => s.Id).Select(s => $"{s.Id} {s.Shop} {s.Sku} {s.Quantity}"));
}

static async Task<string> DescribeAsync(string title, DbContextOptions<ShopDb> options)
{
    await using var db = new ShopDb(options);
    var products = (await db.Products.AsNoTracking().ToListAsync()).OrderBy(p => p.Sku, StringComparer.Ordinal)
        .Select(p => $"     {p.Sku}  {p.Name,-20} {p.Price,6:0.00}");
    var sales = (await db.Sales.AsNoTracking().ToListAsync()).GroupBy(s => (s.Shop, s.Sku)).OrderBy(g => g.Key.Shop, StringComparer.Ordinal).ThenBy(g => g.Key.Sku, StringComparer.Ordinal)
        .Select(g => $"     {g.Key.Shop} sold {g.Key.Sku}: {g.Sum(s => s.Quantity)} in {g.Count()} sales");
    var text = $"   {title}\n{string.Join('\n', products.Concat(sales))}";
    Console.WriteLine(text);
    return text;
}
